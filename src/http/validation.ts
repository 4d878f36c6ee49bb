import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { CONTROL_CHARACTER_MESSAGES, PATTERN_MESSAGE } from './schemas.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    // Unknown fields are refused (422), never silently dropped or applied.
    removeAdditional: false,
    useDefaults: true,
    ...options,
  });
  addFormats(ajv);
  return ajv;
}

/**
 * JSON bodies are validated strictly (no type coercion: "5" is not a number); query strings,
 * params and headers arrive as text, so there scalar types are coerced. Every error's message says
 * in words what is allowed (`inWords`): clients show it, so it never holds a raw regex or Ajv jargon.
 */
export function buildValidatorCompiler(sharedSchemas: object[]): FastifySchemaCompiler<unknown> {
  const strict = makeAjv({ coerceTypes: false });
  const coercing = makeAjv({ coerceTypes: 'array' });
  for (const schema of sharedSchemas) {
    strict.addSchema(schema);
    coercing.addSchema(schema);
  }
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return inWords(ajv.compile(schema as object), schema);
  };
}

type Validator = ReturnType<FastifySchemaCompiler<unknown>>;

/** `validate` with each error's message rewritten by `messageInWords` (Fastify reads `.errors` of what it calls). */
function inWords(validate: ValidateFunction, root: unknown): Validator {
  const wrapped = ((data: unknown) => {
    const ok = validate(data);
    wrapped.errors = ok ? null : (validate.errors ?? []).map((issue) => ({ ...issue, message: messageInWords(issue, root) }));
    return ok;
  }) as Validator & { errors: ErrorObject[] | null };
  wrapped.errors = null;
  return wrapped;
}

const FORMAT_WORDS: Record<string, string> = {
  uuid: 'must be a UUID',
  'date-time': 'must be an ISO 8601 date and time, e.g. 2026-01-31T09:30:00Z',
  date: 'must be a date as YYYY-MM-DD',
  time: 'must be a time as HH:MM:SS',
  email: 'must be an email address',
  uri: 'must be an absolute URL',
  url: 'must be an absolute URL',
};

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

const quoted = (value: unknown) => JSON.stringify(value);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The subschema an Ajv `schemaPath` ("#/properties/a/allOf/0/pattern") points into, minus the keyword. */
function schemaAt(root: unknown, schemaPath: string): Record<string, unknown> | undefined {
  const segments = schemaPath.replace(/^#\/?/, '').split('/').slice(0, -1);
  let node: unknown = root;
  for (const segment of segments) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

/**
 * What `issue` means, in words a person reads: the allowed values of an enum, the rule behind a
 * pattern (the schema's PATTERN_MESSAGE, or the control-character rule of UserText), the length
 * and range limits. The field itself is named by the error body's `field`.
 */
export function messageInWords(issue: ErrorObject, root: unknown): string {
  const p = issue.params as Record<string, unknown>;
  switch (issue.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not an accepted field';
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).map((v) => String(v)).join(', ')}`;
    case 'const':
      return `must be ${quoted(p.allowedValue)}`;
    case 'pattern': {
      const pattern = String(p.pattern);
      const words = CONTROL_CHARACTER_MESSAGES[pattern] ?? schemaAt(root, issue.schemaPath)?.[PATTERN_MESSAGE];
      return typeof words === 'string' ? words : 'is not in the accepted format';
    }
    case 'format':
      return FORMAT_WORDS[String(p.format)] ?? `must be a valid ${String(p.format)}`;
    case 'type': {
      const types = String(p.type).split(',');
      return `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
    }
    case 'minLength':
      return `must be at least ${plural(Number(p.limit), 'character')} long`;
    case 'maxLength':
      return `must be at most ${plural(Number(p.limit), 'character')} long`;
    case 'minimum':
      return `must be at least ${String(p.limit)}`;
    case 'maximum':
      return `must be at most ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `must be greater than ${String(p.limit)}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(p.limit)}`;
    case 'minItems':
      return `must hold at least ${plural(Number(p.limit), 'item')}`;
    case 'maxItems':
      return `must hold at most ${plural(Number(p.limit), 'item')}`;
    case 'uniqueItems':
      return 'must not hold the same item twice';
    case 'minProperties':
      return `must hold at least ${plural(Number(p.limit), 'field')}`;
    case 'maxProperties':
      return `must hold at most ${plural(Number(p.limit), 'field')}`;
    case 'multipleOf':
      return `must be a multiple of ${String(p.multipleOf)}`;
    case 'anyOf':
    case 'oneOf':
      return 'does not match any of the accepted shapes';
    default:
      return issue.message ?? 'is invalid';
  }
}
