import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const PREFIX = '/media/';

/**
 * Serves the disk storage adapter's files under /media/ (in production a CDN or the bucket serves
 * them instead). Keys are versioned, so files are cached for a year; `send` resolves paths inside
 * the root only (no traversal) and sets the content type from the extension.
 */
export async function registerMediaFiles(app: FastifyInstance, root: string): Promise<void> {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(PREFIX)) {
      route.config = { ...(route.config ?? {}), public: true, skipGlobalRateLimit: true };
      route.schema = { ...(route.schema ?? {}), hide: true };
    }
  });
  await app.register(fastifyStatic, {
    root,
    prefix: PREFIX,
    decorateReply: false,
    index: false,
    dotfiles: 'deny',
    redirect: false,
    cacheControl: true,
    maxAge: '365d',
    immutable: true,
    // Media are fetched by apps and pages on other origins (the API's default is same-site).
    setHeaders: (res) => void res.header('cross-origin-resource-policy', 'cross-origin'),
  });
}
