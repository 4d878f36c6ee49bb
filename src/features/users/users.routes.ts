import { principalOf } from '../../http/principal.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import {
  MeUser,
  UpdateMeBody,
  UserIdParams,
  UserProfile,
  UserStats,
  toMeUser,
  toUserProfile,
  toUserStats,
} from './users.schemas.js';
import type { AuthCredentialsService } from '../auth/auth.credentials.service.js';
import type { UsersService } from './users.service.js';

const tags = ['users'];

/** Plan 4.2: the caller's profile and other users' profiles. */
export function registerUsersRoutes(app: TypedApp, users: UsersService, credentials: AuthCredentialsService): void {
  app.get(
    '/api/v1/users/me',
    {
      schema: { operationId: 'getMyProfile', tags, summary: 'The caller’s profile', response: { 200: MeUser, ...errorResponses(401, 429) } },
    },
    async (request) => {
      const { userId } = principalOf(request);
      return toMeUser(await users.getById(userId), await credentials.pendingEmail(userId));
    },
  );

  app.put(
    '/api/v1/users/me',
    {
      schema: {
        operationId: 'updateMyProfile',
        tags,
        summary:
          'Update the caller’s profile. A new email needs current_password; it is mailed a confirm link and ' +
          'becomes the login address only once confirmed (pending_email until then), and the old address is ' +
          'mailed a link that reverts the change',
        body: UpdateMeBody,
        response: { 200: MeUser, ...errorResponses(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const b = request.body;
      // Every check (the password included) runs before anything is written.
      const newEmail = b.email !== undefined ? await credentials.checkEmailChange(userId, b.email, b.current_password) : undefined;
      const updated = await users.updateProfile(userId, {
        ...(b.full_name !== undefined ? { fullName: b.full_name } : {}),
        ...(b.username !== undefined ? { username: b.username } : {}),
        ...(b.bio !== undefined ? { bio: b.bio } : {}),
        ...(b.timezone !== undefined ? { timezone: b.timezone } : {}),
      });
      if (newEmail !== undefined) await credentials.startEmailChange(userId, newEmail);
      else if (b.email !== undefined) await credentials.cancelEmailChange(userId);
      return toMeUser(updated, await credentials.pendingEmail(userId));
    },
  );

  app.get(
    '/api/v1/users/:userId',
    {
      schema: {
        operationId: 'getUserProfile',
        tags,
        summary: 'A user’s profile: the full profile when its visibility allows, else the card',
        params: UserIdParams,
        response: { 200: UserProfile, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const view = await users.viewProfile(principalOf(request).userId, request.params.userId);
      return toUserProfile(view.user, view.full, view.canSendFriendRequest);
    },
  );

  app.get(
    '/api/v1/users/:userId/stats',
    {
      schema: {
        operationId: 'getUserStats',
        tags,
        summary: 'A user’s statistics (same visibility as the full profile)',
        params: UserIdParams,
        response: { 200: UserStats, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => toUserStats(await users.viewStats(principalOf(request).userId, request.params.userId)),
  );
}
