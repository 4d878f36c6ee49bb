import { Type } from 'typebox';
import { stringEnum, UserText } from '../../http/schemas.js';
import { DEVICE_TYPES } from '../notifications/notifications.vocabulary.js';
import { AuthUser, toAuthUser } from '../users/users.schemas.js';
import type { Session } from './auth.sessions.service.js';
import { USERNAME_PATTERN, USERNAME_RULE } from '../users/users.rules.js';
import { PASSWORD_RULE_TEXT } from './auth.pages.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './auth.passwords.js';

const Password = UserText({ minLength: 1, maxLength: 128 });
/** A password being chosen: the whole rule is in the description, its length also in the schema. */
const NewPassword = UserText({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  description: `A new password: ${PASSWORD_RULE_TEXT}`,
});
const OpaqueToken = UserText({ minLength: 16, maxLength: 512 });
// Shape is checked after trimming (users.rules.ts), so " Brian@Example.com " is accepted as brian@example.com.
const Email = UserText({ minLength: 3, maxLength: 320 });

export const RegisterBody = Type.Object(
  {
    email: Email,
    username: UserText({ maxLength: 30, pattern: USERNAME_PATTERN, patternMessage: USERNAME_RULE, description: `Username: ${USERNAME_RULE}` }),
    full_name: UserText({ minLength: 1, maxLength: 255 }),
    password: NewPassword,
    confirm_password: Password,
  },
  { additionalProperties: false },
);

export const DeviceInfoBody = Type.Object(
  {
    device_type: Type.Optional(stringEnum(DEVICE_TYPES)),
    device_id: Type.Optional(UserText({ minLength: 1, maxLength: 255 })),
    app_version: Type.Optional(UserText({ maxLength: 50 })),
    os_version: Type.Optional(UserText({ maxLength: 50 })),
    device_name: Type.Optional(UserText({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  { email: Email, password: Password, device_info: Type.Optional(DeviceInfoBody) },
  { additionalProperties: false },
);

export const SessionResponse = Type.Object({
  user: AuthUser,
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'access token lifetime in seconds' }),
}, { title: 'Session' });

export const RefreshBody = Type.Object({ refresh_token: OpaqueToken }, { additionalProperties: false });

export const TokenPairResponse = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String({ description: 'the new refresh token; the presented one no longer works' }),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
}, { title: 'TokenPair' });

export const LogoutBody = Type.Object(
  {
    refresh_token: Type.Optional(OpaqueToken),
    all_devices: Type.Optional(Type.Boolean({ description: 'sign out every session of the account' })),
  },
  { additionalProperties: false },
);

export const TokenBody = Type.Object({ token: OpaqueToken }, { additionalProperties: false });

export const ForgotPasswordBody = Type.Object({ email: Email }, { additionalProperties: false });

export const ResetPasswordBody = Type.Object(
  { token: OpaqueToken, new_password: NewPassword, confirm_password: Password },
  { additionalProperties: false },
);

export const MessageResponse = Type.Object({ message: Type.String() }, { title: 'InfoMessage' });

export const VerifiedResponse = Type.Object({ message: Type.String(), email_verified: Type.Literal(true) });

export const ChangePasswordBody = Type.Object(
  {
    current_password: Password,
    new_password: NewPassword,
    confirm_password: Password,
    device_info: Type.Optional(DeviceInfoBody),
  },
  { additionalProperties: false },
);

/** A new session as the API shows it (register, login, password change). */
export function toSessionResponse(session: Session) {
  return {
    user: toAuthUser(session.user),
    access_token: session.accessToken,
    refresh_token: session.refreshToken,
    token_type: 'bearer' as const,
    expires_in: session.expiresIn,
  };
}
