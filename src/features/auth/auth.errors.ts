import { AppError, validationError, type AppErrorDetail } from '../../lib/app-error.js';

export const invalidCredentials = () =>
  new AppError('unauthorized', 'invalid_credentials', 'The email or password is incorrect');
export const accountDeactivated = () =>
  new AppError('forbidden', 'account_deactivated', 'This account has been deactivated');
export const accountInactive = () =>
  new AppError('unauthorized', 'account_inactive', 'This account is no longer active');
export const invalidRefreshToken = () =>
  new AppError('unauthorized', 'invalid_refresh_token', 'The refresh token is invalid or has been revoked');
export const refreshTokenExpired = () =>
  new AppError('unauthorized', 'refresh_token_expired', 'The refresh token has expired; log in again');
export const refreshTokenReused = () =>
  new AppError(
    'unauthorized',
    'refresh_token_reused',
    'This refresh token was already used; every session descended from it has been signed out',
  );
export const invalidVerificationToken = () =>
  new AppError('bad_request', 'invalid_verification_token', 'The verification link is invalid or has expired');
export const emailAlreadyVerified = () =>
  new AppError('conflict', 'email_already_verified', 'The email address is already verified');
export const invalidResetToken = () =>
  new AppError('bad_request', 'invalid_reset_token', 'The password reset link is invalid, used or expired');
export const passwordReused = (field: string) =>
  validationError('password_reused', [{ field, message: 'must differ from your last 5 passwords' }]);
export const passwordsDoNotMatch = (field: string) =>
  validationError('password_mismatch', [{ field, message: 'does not match the password' }]);
export const weakPassword = (details: AppErrorDetail[]) => validationError('weak_password', details);
export const invalidPassword = () =>
  new AppError('forbidden', 'invalid_password', 'The current password is missing or incorrect', [
    { field: 'current_password', message: 'must be the account’s current password' },
  ]);
export const invalidEmailChangeToken = () =>
  new AppError('bad_request', 'invalid_email_change_token', 'The email change link is invalid, used or expired');
export const credentialChangesLimited = (retryAfterSeconds: number) =>
  new AppError(
    'rate_limited',
    'rate_limited',
    `Too many attempts to change the email or password; try again in ${retryAfterSeconds} s`,
    [{ message: 'limit credential_change exceeded' }],
    retryAfterSeconds,
  );
