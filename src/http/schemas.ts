import { Type, type TSchema, type TSchemaOptions } from 'typebox';

/** Shared pieces of the public contract (DESIGN.md §5). */

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
export const NullableString = Type.Union([Type.String(), Type.Null()]);
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

// C0 controls (U+0000–U+001F) and DEL (U+007F): PostgreSQL cannot store U+0000 at all (a 500 before
// this type existed), and the others only ever come from broken or hostile clients.
/** Pattern of single-line user text: no control characters at all. */
export const SINGLE_LINE_TEXT_PATTERN = '^[^\\u0000-\\u001F\\u007F]*$';
/** Pattern of multi-line user text: no control characters except tab, line feed and carriage return. */
export const MULTI_LINE_TEXT_PATTERN = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';

/** The validation message of a user-text field that holds a refused control character, by its pattern. */
export const CONTROL_CHARACTER_MESSAGES: Readonly<Record<string, string>> = {
  [SINGLE_LINE_TEXT_PATTERN]: 'must be one line without control characters (U+0000–U+001F, U+007F)',
  [MULTI_LINE_TEXT_PATTERN]: 'must not contain control characters (U+0000–U+001F, U+007F) other than tab and line breaks',
};

/**
 * The schema keyword that says in words what a `pattern` allows ("3–30 characters: a-z, 0-9, _ and ."):
 * the validation message of a value that does not match (http/validation.ts), never the raw regex.
 * Every pattern in the contract carries one (test/contract.test.ts checks).
 */
export const PATTERN_MESSAGE = 'x-pattern-message';

export interface UserTextOptions {
  maxLength: number;
  minLength?: number;
  /** Tab, LF and CR allowed (bios, comments, captions, messages, descriptions); default: one line. */
  multiline?: boolean;
  /** A further pattern the text must match (checked besides the control-character rule)... */
  pattern?: string;
  /** ...and what it allows, in words: the validation message when it does not match (required with `pattern`). */
  patternMessage?: string;
  description?: string;
  default?: string;
}

/**
 * THE string type of every text a client sends (bodies, queries, params; multipart fields through
 * `controlCharacterProblem`): refuses U+0000 and the other control characters with 422.
 */
export function UserText(options: UserTextOptions) {
  const { multiline = false, pattern, patternMessage, ...rest } = options;
  return Type.String({
    ...rest,
    pattern: multiline ? MULTI_LINE_TEXT_PATTERN : SINGLE_LINE_TEXT_PATTERN,
    // JSON Schema has one `pattern` per schema; a field's own shape is a second one under allOf.
    ...(pattern ? { allOf: [{ pattern, [PATTERN_MESSAGE]: patternMessage }] } : {}),
  });
}

const SINGLE_LINE_TEXT = new RegExp(SINGLE_LINE_TEXT_PATTERN, 'u');
const MULTI_LINE_TEXT = new RegExp(MULTI_LINE_TEXT_PATTERN, 'u');

/** UserText's rule for text the schemas do not see (multipart fields): the message when `text` breaks it. */
export function controlCharacterProblem(text: string, multiline: boolean): string | undefined {
  const pattern = multiline ? MULTI_LINE_TEXT_PATTERN : SINGLE_LINE_TEXT_PATTERN;
  return (multiline ? MULTI_LINE_TEXT : SINGLE_LINE_TEXT).test(text) ? undefined : CONTROL_CHARACTER_MESSAGES[pattern];
}

/**
 * The schema of a closed vocabulary, from the feature's `const` array (`stringEnum(GOAL_STATUSES)`):
 * a plain `{type: 'string', enum: [...]}` (the form http/route-schemas.ts gives every union of
 * literals), typed as the array's union so handlers and mappers need no cast.
 */
export function stringEnum<const Values extends readonly [string, ...string[]]>(values: Values, options: TSchemaOptions = {}) {
  return Type.Unsafe<Values[number]>({ type: 'string', enum: [...values], ...options });
}

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

export const EmptyBody = Type.Null({ description: 'No content' });

/** The kinds of image every upload accepts (http/multipart.ts → the media pipeline). */
export const IMAGE_TYPES_TEXT = 'JPEG, PNG, WebP, AVIF, HEIC/HEIF or GIF';

/** A file field of a multipart/form-data form (`schema.multipartBody`, documentation only). */
export function UploadFile(description: string) {
  return Type.String({ format: 'binary', contentMediaType: 'application/octet-stream', description });
}
