import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { nameComponentSchemas } from './openapi-components.js';
import { ErrorBody } from './schemas.js';

export const DOCS_PREFIX = '/docs';

/**
 * OpenAPI 3.1 from the route schemas, `GET /openapi.json`, and the interactive reference at /docs.
 * `publicUrl` (PUBLIC_URL) is the document's server. Titled schemas become named components
 * (openapi-components.ts); a route's `multipartBody` documents its multipart/form-data form.
 */
export async function registerOpenApi(app: FastifyInstance, version: string, publicUrl: string, serveDocs = true): Promise<void> {
  // The reference's own routes are public and outside the per-caller API budget.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(DOCS_PREFIX)) {
      route.config = { ...(route.config ?? {}), public: true, skipGlobalRateLimit: true };
    }
  });
  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tribe API',
        version,
        description:
          'The Tribe social accountability app API. Authenticate with `Authorization: Bearer <access_token>` ' +
          'from /api/v1/auth/login or /api/v1/auth/register. Errors are `{"error": {"code", "message", "details"}}`.',
      },
      servers: [{ url: publicUrl, description: 'This deployment (PUBLIC_URL); every path starts with /api/v1' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: ({ schema, url }) => ({ schema: withMultipartBody(schema), url }),
    transformObject: (document) => nameComponentSchemas('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  // API_DOCS_ENABLED=false (production's default): the document is still built (app.swagger(),
  // npm run openapi) but neither /docs nor /openapi.json is served.
  if (!serveDocs) return;
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true, persistAuthorization: true },
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true, skipGlobalRateLimit: true } }, async () =>
    app.swagger(),
  );
}

/**
 * A route that reads multipart/form-data itself (http/multipart.ts; Ajv never sees such a body)
 * declares the form as `schema.multipartBody`: the document shows it as the multipart request body,
 * beside a JSON body the route may also accept.
 */
function withMultipartBody(schema: FastifySchema): FastifySchema {
  if (!schema?.multipartBody) return schema;
  const body = schema.body as { content?: Record<string, unknown> } | undefined;
  const content = body?.content ?? (body ? { 'application/json': { schema: body } } : {});
  const { multipartBody, ...rest } = schema;
  return { ...rest, body: { content: { ...content, 'multipart/form-data': { schema: multipartBody } } } };
}
