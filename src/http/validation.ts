import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

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
 * params and headers arrive as text, so there scalar types are coerced.
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
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}
