import { Type, type TSchema } from 'typebox';

/**
 * How lists page, stated once (docs/ARCHITECTURE.md, "Lists and pages"). Three styles, each with
 * its query, its `pagination` schema and its builder; routes never build the object by hand:
 *
 * - counted pages (`page`/`limit` → `{page, limit, total, total_pages}`): the plan's GET /friends and
 *   GET /goals, and every list the plan leaves open (a new list uses this style);
 * - feeds (`page`/`limit` → `{page, limit, has_more}`): the plan's GET /feed (which adds its
 *   `next_cursor`) and GET /goals/feed, where a total would cost a count of an unbounded stream;
 * - cursor lists (`before` → `{has_more, next_cursor}`): the plan's GET /conversations/:id/messages.
 */

/**
 * A query parameter clients may leave out, typed as always present: optional in the contract (not
 * in `required`; its `default` documented) but never absent in a handler, because the query
 * validator (http/validation.ts, Ajv `useDefaults`) writes the default in before the handler runs.
 * So the default is stated once, in the schema, and no route repeats it.
 */
export function Defaulted<T extends TSchema>(schema: T): T {
  if (!('default' in schema)) throw new Error('Defaulted: the schema needs a default');
  return Type.Optional(schema) as unknown as T;
}

/** Page/limit query parameters: page defaults to 1, limit to 20 and is refused above 100. */
export const PageQuery = {
  page: Defaulted(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  limit: Defaulted(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};

export const PagePagination = Type.Object({
  page: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
  total_pages: Type.Integer(),
}, { title: 'PagePagination' });

/** A counted page's `pagination`. */
export function pagePagination(page: number, limit: number, total: number) {
  return { page, limit, total, total_pages: Math.ceil(total / limit) };
}

export const FeedPagination = Type.Object({ page: Type.Integer(), limit: Type.Integer(), has_more: Type.Boolean() });

/** A feed page's `pagination` (without `page` when the client paged by cursor). */
export function feedPagination(page: number, limit: number, hasMore: boolean): { page: number; limit: number; has_more: boolean };
export function feedPagination(page: number | undefined, limit: number, hasMore: boolean): { page?: number; limit: number; has_more: boolean };
export function feedPagination(page: number | undefined, limit: number, hasMore: boolean) {
  return { ...(page === undefined ? {} : { page }), limit, has_more: hasMore };
}

/** A cursor list's `pagination`; `cursor` is the schema of the list's `next_cursor` (never absent, null at the end). */
export function CursorPagination<C extends TSchema>(cursor: C) {
  return Type.Object({ has_more: Type.Boolean(), next_cursor: cursor });
}

/** A cursor list's `pagination`: `next_cursor` is null when nothing follows. */
export function cursorPagination<C extends string>(hasMore: boolean, nextCursor: C | null) {
  return { has_more: hasMore, next_cursor: hasMore ? nextCursor : null };
}
