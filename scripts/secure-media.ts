/**
 * `npm run media:secure`: moves media stored before private media keys existed (issue 14.3) to
 * private keys — media of friends-only, private and archived posts, stories and goal images — so
 * their old public URLs stop working (404); afterwards they are only served through signed URLs.
 * Run it once after upgrading, with the API's configuration (same DATA_DIR or S3 bucket and
 * database). Idempotent: a second run moves nothing. See docs/media.md.
 */
import { ConfigError, loadConfig } from '../src/config/config.js';
import { readEnv } from '../src/config/env.js';
import { createContext } from '../src/context.js';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(readEnv());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`media:secure: ${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const ctx = await createContext(config);
  try {
    await ctx.database.migrate();
    const posts = await ctx.services.posts.secureLegacyMedia();
    const stories = await ctx.services.stories.secureLegacyMedia();
    const goals = await ctx.services.goals.secureLegacyImages();
    process.stdout.write(`Moved to private keys: ${posts} post(s), ${stories} story(ies), ${goals} goal image(s).\n`);
    return 0;
  } finally {
    await ctx.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`media:secure: failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
