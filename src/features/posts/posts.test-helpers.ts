/** Helpers shared by the posts feature's tests (not a test file itself). */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { queryRows } from '../../infra/db/rows.js';
import type { PostVisibility } from './posts.vocabulary.js';
import type { TestUser } from '../../../test/factories.js';
import type { TestApp } from '../../../test/harness.js';
import { http as sharedHttp } from '../../../test/http.js';
import { multipart, png } from '../../../test/media-samples.js';

/** Test apps of the posts tests run without the rate limits (they post a lot per user). */
export const NO_RATE_LIMITS = { RATE_LIMIT_ENABLED: 'false' };
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

export type Part = { name: string; value: string } | { name: string; filename: string; contentType: string; data: Buffer };

/** test/http.ts's shorthands plus the multipart post the posts tests need. */
export function http(t: () => TestApp) {
  return {
    ...sharedHttp(t),
    /** POST /api/v1/posts with a multipart body. */
    postForm: (parts: Part[], who?: TestUser) => {
      const body = multipart(parts);
      return t().app.inject({ method: 'POST', url: '/api/v1/posts', headers: { ...(who ? who.auth : {}), ...body.headers }, payload: body.payload });
    },
  };
}

export async function imagePart(): Promise<Part> {
  return { name: 'image', filename: 'photo.png', contentType: 'image/png', data: await png(64, 48, false) };
}

export interface PostJson {
  id: string;
  post_type: string;
  visibility: string;
  likes_count: number;
  comments_count: number;
  media_url: string | null;
  [key: string]: unknown;
}

/** Creates a text post through the service (fast) with the given visibility; returns its id. */
export async function makePost(
  ctx: AppContext,
  who: TestUser,
  options: { visibility?: PostVisibility; caption?: string; archived?: boolean } = {},
): Promise<string> {
  const post = await ctx.services.posts.create(who.id, {
    caption: options.caption ?? 'Hello tribe',
    goalId: null,
    visibility: options.visibility ?? 'friends',
  });
  if (options.archived) await ctx.services.posts.update(who.id, post.id, { isArchived: true });
  return post.id;
}

export async function one<T = unknown>(ctx: AppContext, query: ReturnType<typeof sql>): Promise<T> {
  const [row] = await queryRows<Record<string, unknown>>(ctx.database.db, query);
  return Object.values(row ?? {})[0] as T;
}

export const countOf = async (ctx: AppContext, query: ReturnType<typeof sql>) => Number(await one(ctx, query));
