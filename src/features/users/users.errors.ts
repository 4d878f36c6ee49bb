import { AppError, notFound } from '../../lib/app-error.js';

export const userNotFound = () => notFound('user_not_found', 'User not found');
export const emailTaken = () =>
  new AppError('conflict', 'email_taken', 'An account with this email already exists', [
    { field: 'email', message: 'is already registered' },
  ]);
export const usernameTaken = () =>
  new AppError('conflict', 'username_taken', 'This username is taken', [
    { field: 'username', message: 'is already taken' },
  ]);
