import pino, { type DestinationStream, type Logger } from 'pino';

/** Paths pino blanks out, so secrets and tokens never reach the logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.confirm_password',
  '*.refresh_token',
  '*.access_token',
  '*.token',
  '*.passwordHash',
  '*.password_hash',
];

/** The process logger: JSON lines, with the request URL's `token` query parameter masked. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; id?: string; ip?: string; headers?: Record<string, unknown> }) {
        return {
          id: req.id,
          method: req.method,
          url: maskTokenInUrl(req.url),
          remoteAddress: req.ip,
          userAgent: req.headers?.['user-agent'],
        };
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** `/ws?token=abc` → `/ws?token=[redacted]` (tokens in query strings must not be logged). */
export function maskTokenInUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token|refresh_token)=)[^&#]*/gi, '$1[redacted]');
}
