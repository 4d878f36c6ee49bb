import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * The rules every documented route's schemas follow, applied once when the route is added (an
 * onRoute hook registered before @fastify/swagger, so validation, serialization and the OpenAPI
 * document all see the same schemas):
 *
 * - **Closed query strings.** A query parameter the route does not declare is refused with 422 naming
 *   it, like an unknown body field: `?type=sent` on a route whose parameter is `direction` must not
 *   silently answer the default. Routes without a querystring schema get an empty closed one, so they
 *   refuse every parameter. No exception for cache-busting parameters (`?_=123`): every route
 *   answers `Cache-Control` itself, so clients have no reason to send one.
 * - **Plain enums.** A union of literals (TypeBox `Type.Union([Type.Literal('a'), ...])`, JSON Schema
 *   `anyOf: [{const: 'a'}, ...]`) becomes one `enum`: generated clients get a real enum type instead
 *   of a list of one-value enums, and a validation error lists the allowed values.
 *
 * Hidden routes (`schema.hide`: /docs, /openapi.json, the static /media files) keep their schemas.
 */
export function registerRouteSchemaRules(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (schema?.hide === true) return;
    route.schema = normalizeRouteSchema(schema ?? {});
  });
}

const SCHEMA_PARTS = ['body', 'querystring', 'params', 'headers'] as const;

/** A route schema with its parts' enums made plain and its querystring closed (a copy; TypeBox schemas are shared). */
export function normalizeRouteSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...schema };
  for (const part of SCHEMA_PARTS) {
    if (out[part] !== undefined) out[part] = plainEnums(out[part]);
  }
  if (out.response && typeof out.response === 'object') {
    out.response = Object.fromEntries(Object.entries(out.response).map(([status, s]) => [status, plainEnums(s)]));
  }
  if (out.multipartBody !== undefined) out.multipartBody = plainEnums(out.multipartBody);
  out.querystring = closedQuerystring(out.querystring as Record<string, unknown> | undefined);
  return out;
}

function closedQuerystring(query: Record<string, unknown> | undefined): Record<string, unknown> {
  if (query === undefined) return { type: 'object', properties: {}, additionalProperties: false };
  if (query.type === 'object' && query.additionalProperties === undefined) return { ...query, additionalProperties: false };
  return query;
}

type Json = unknown;

function isConstMember(member: Json): member is { const: string | number | boolean; type?: string } {
  if (!member || typeof member !== 'object' || Array.isArray(member)) return false;
  const keys = Object.keys(member);
  return 'const' in member && keys.every((key) => key === 'const' || key === 'type');
}

/** A deep copy of `schema` where every anyOf of literals (or the literal part of one) is one `enum`. */
export function plainEnums(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(plainEnums);
  if (!schema || typeof schema !== 'object') return schema;
  const copy: Record<string, Json> = {};
  for (const [key, value] of Object.entries(schema)) {
    // `const`, `enum`, `default` and `examples` hold values, not schemas.
    copy[key] = key === 'const' || key === 'enum' || key === 'default' || key === 'examples' ? value : plainEnums(value);
  }
  const anyOf = copy.anyOf;
  if (!Array.isArray(anyOf)) return copy;
  const literals = anyOf.filter(isConstMember);
  const types = new Set(literals.map((m) => m.type ?? typeof m.const));
  if (literals.length < 2 || types.size !== 1) return copy;
  const merged = { type: [...types][0], enum: literals.map((m) => m.const) };
  const rest = anyOf.filter((m) => !isConstMember(m));
  delete copy.anyOf;
  if (rest.length === 0) return { ...merged, ...copy };
  return { ...copy, anyOf: [merged, ...rest] };
}
