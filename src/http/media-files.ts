import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../lib/app-error.js';
import { assertSafeKey, PRIVATE_KEY_PREFIX, type LocalMediaFiles } from '../infra/storage/storage.js';

const PREFIX = '/media/';
const PRIVATE_PREFIX = `${PREFIX}${PRIVATE_KEY_PREFIX}`;

const staticOptions = {
  decorateReply: false,
  index: false,
  dotfiles: 'deny',
  redirect: false,
} as const;

// Media are fetched by apps and pages on other origins (the API's default is same-site).
const crossOrigin = (res: FastifyReply) => void res.header('cross-origin-resource-policy', 'cross-origin');

function invalidMediaLink(): AppError {
  return new AppError('forbidden', 'invalid_media_link', 'this media link is invalid or has expired; fetch the item again for a fresh link');
}

/**
 * Serves the disk storage adapter (in production a CDN or the bucket serves public media instead):
 * public keys under /media/<key>, cached for a year (keys are versioned); private keys only under
 * /media/private/<rest>?exp=&sig= with a valid, unexpired signature (403 otherwise) and
 * `Cache-Control: private, max-age=<seconds left>`. The private files live outside the public
 * root, so no spelling of a public path reaches them. `send` resolves paths inside each root only
 * (no traversal) and sets the content type from the extension.
 */
export async function registerMediaFiles(app: FastifyInstance, files: LocalMediaFiles): Promise<void> {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(PREFIX)) {
      route.config = { ...(route.config ?? {}), public: true, skipGlobalRateLimit: true };
      route.schema = { ...(route.schema ?? {}), hide: true };
    }
  });
  await app.register(fastifyStatic, {
    ...staticOptions,
    root: files.publicRoot,
    prefix: PREFIX,
    cacheControl: true,
    maxAge: '365d',
    immutable: true,
    setHeaders: crossOrigin,
  });
  await app.register(async (signed) => {
    signed.addHook('onRequest', async (request, reply) => {
      const rest = (request.params as Record<string, string | undefined>)['*'] ?? '';
      const key = `${PRIVATE_KEY_PREFIX}${rest}`;
      try {
        assertSafeKey(key);
      } catch {
        throw invalidMediaLink();
      }
      const query = request.query as Record<string, unknown>;
      const remaining = files.verifySignedUrl(key, query.exp, query.sig);
      if (remaining === undefined) throw invalidMediaLink();
      reply.header('cache-control', `private, max-age=${remaining}`);
    });
    await signed.register(fastifyStatic, {
      ...staticOptions,
      root: files.privateRoot,
      prefix: PRIVATE_PREFIX,
      cacheControl: false,
      setHeaders: crossOrigin,
    });
  });
}
