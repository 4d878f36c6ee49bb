/**
 * How route schemas become named component schemas in the OpenAPI document, so that generated
 * clients (Dart, Swift, Kotlin, TypeScript) get one named type per resource instead of an anonymous
 * copy per route:
 *
 * 1. **Resources**: every schema with a `title` (`Type.Object({...}, { title: 'Goal' })`) is moved to
 *    `components.schemas.<title>` and replaced by a `$ref`, wherever it appears (bodies, responses,
 *    nested in other schemas). Two different schemas under one title are a bug: the document build
 *    throws, naming the title (test/openapi.test.ts builds the document).
 * 2. **Envelopes**: a route's request body or response that has no title of its own is named after
 *    the operation: `<OperationId>Request` (`<OperationId>Form` for multipart/form-data) and
 *    `<OperationId>Response` (with the status appended for a second, different body).
 */

type Json = Record<string, unknown>;

const COMPONENTS_PREFIX = '#/components/schemas/';

/** Keywords whose values are data, not schemas: never walked for titles. */
const VALUE_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

const isObject = (value: unknown): value is Json => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/** Sorted-key JSON: equal for schemas that differ only in key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const pascal = (operationId: string) => operationId.charAt(0).toUpperCase() + operationId.slice(1);

/** Named component schemas being collected (OpenAPI here, AsyncAPI in realtime.asyncapi.ts). */
export class ComponentRegistry {
  constructor(private readonly schemas: Json) {}

  /** Adds `schema` as `name`; the same schema twice is one component, a different one is an error. */
  add(name: string, schema: Json, where: string): Json {
    const existing = this.schemas[name];
    if (existing !== undefined && canonical(existing) !== canonical(schema)) {
      throw new Error(`OpenAPI: two different schemas are named "${name}" (the second in ${where}); give one another title`);
    }
    this.schemas[name] = schema;
    return { $ref: `${COMPONENTS_PREFIX}${name}` };
  }

  /** A copy of `schema` with every titled subschema (and itself, when titled) replaced by a `$ref`. */
  hoist(schema: unknown, where: string): unknown {
    if (Array.isArray(schema)) return schema.map((item) => this.hoist(item, where));
    if (!isObject(schema)) return schema;
    const copy: Json = {};
    for (const [key, value] of Object.entries(schema)) {
      copy[key] = VALUE_KEYWORDS.has(key) ? value : this.hoist(value, where);
    }
    if (typeof copy.title === 'string' && looksLikeSchema(copy)) return this.add(copy.title, copy, where);
    return copy;
  }
}

/** A schema object (not, say, a `properties` map that has a property called "title"). */
function looksLikeSchema(node: Json): boolean {
  return ['type', 'properties', 'anyOf', 'oneOf', 'allOf', 'enum', 'const', 'items', '$ref'].some((key) => key in node);
}

/** Whether a body/response schema deserves a name: an object or array, not a `$ref` or an empty body. */
function needsName(schema: unknown): schema is Json {
  return isObject(schema) && !('$ref' in schema) && (schema.type === 'object' || schema.type === 'array' || 'anyOf' in schema);
}

interface Operation {
  operationId?: string;
  parameters?: Array<{ schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** Rewrites `document` (an @fastify/swagger OpenAPI 3.1 object) in place: named components, `$ref`s. */
export function nameComponentSchemas<T extends object>(target: T): T {
  const document = target as Json;
  const components = (document.components ?? {}) as Json;
  components.schemas = (components.schemas ?? {}) as Json;
  document.components = components;
  const registry = new ComponentRegistry(components.schemas as Json);

  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      const base = operation.operationId ? pascal(operation.operationId) : undefined;
      for (const parameter of operation.parameters ?? []) {
        if (parameter.schema !== undefined) parameter.schema = registry.hoist(parameter.schema, where);
      }
      for (const [mediaType, media] of Object.entries(operation.requestBody?.content ?? {})) {
        let schema = registry.hoist(media.schema, where);
        if (base && needsName(schema)) {
          schema = registry.add(`${base}${mediaType === 'multipart/form-data' ? 'Form' : 'Request'}`, schema, where);
        }
        media.schema = schema;
      }
      // One name per distinct body: 200 and 201 of an idempotent create often share it. Error
      // bodies are ErrorBody already; the rest (GET /readyz's 503) get the status appended.
      const named = new Map<string, Json>();
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        for (const media of Object.values(response.content ?? {})) {
          let schema = registry.hoist(media.schema, where);
          if (base && needsName(schema)) {
            const key = canonical(schema);
            const ref = named.get(key) ?? registry.add(`${base}Response${named.size > 0 ? status : ''}`, schema, where);
            named.set(key, ref);
            schema = ref;
          }
          media.schema = schema;
        }
      }
    }
  }
  return target;
}
