import { Type, type TSchema } from 'typebox';

/** Shared pieces of the public contract (DESIGN.md §5). */

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
export const NullableString = Type.Union([Type.String(), Type.Null()]);
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable snake_case code' }),
      message: Type.String(),
      details: Type.Array(
        Type.Object(
          { field: Type.Optional(Type.String()), message: Type.String() },
          { additionalProperties: true },
        ),
      ),
    }),
  },
  { $id: 'ErrorBody', title: 'Error' },
);

const errorDescriptions: Record<number, string> = {
  400: 'Malformed request',
  401: 'Missing, invalid or expired token',
  403: 'Not allowed',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Validation failed; details name each field',
  429: 'Rate limited; see Retry-After',
  503: 'Unavailable',
};

/** Response schemas for the given error statuses, for a route's `response` map. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const status of statuses) {
    out[status] = Type.Ref('ErrorBody', { description: errorDescriptions[status] ?? 'Error' });
  }
  return out;
}

/** Page/limit query parameters: limit defaults to 20 and is refused above 100. */
export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};

export const PagePagination = Type.Object({
  page: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
  total_pages: Type.Integer(),
});

export const EmptyBody = Type.Null({ description: 'No content' });
