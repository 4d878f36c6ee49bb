import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ErrorBody } from './schemas.js';

export const DOCS_PREFIX = '/docs';

/** OpenAPI 3.1 from the route schemas, `GET /openapi.json`, and the interactive reference at /docs. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
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
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true, persistAuthorization: true },
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true, skipGlobalRateLimit: true } }, async () =>
    app.swagger(),
  );
}
