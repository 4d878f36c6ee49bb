/**
 * A seeded "world" for benchmarks, built with set-based SQL (generate_series) so that 10,000 users,
 * ~750,000 friendship pair rows and 500,000 posts take a minute or two, not hours. Reusable by any
 * benchmark: `seedBenchWorld(pool, sizes)` on an empty, migrated database.
 *
 * Shape: user i (1..users) has id md5('bench-user-' || i)::uuid (so scripts can name users without
 * a lookup), username bench_<i>, profile 'everyone' (5% 'private'), token_version 0. Friendships:
 * user i is friends with i+1 .. i+friendsPerUser/2 (mod users), so every user has friendsPerUser
 * friends; the requester side alternates so both directions of the pair rows are exercised. Posts:
 * spread uniformly over the last `days` days over random authors; visibility 70% friends, 25% public,
 * 5% private; 2% archived; likes 0–50, comments 0–10. A few likes per user (post_likes) too.
 */
import type pg from 'pg';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from '../src/infra/db/database.js';

/**
 * Timeouts for a benchmark's seeding and set-up pool: seeding runs statements of minutes (millions
 * of rows), far past a request's statement budget, so the request timeouts are off (0) there. The
 * servers under test keep the app's own budgets.
 */
export const SEEDING_TIMEOUTS: DatabaseTimeouts = { ...DEFAULT_DATABASE_TIMEOUTS, statementMs: 0, lockMs: 0, idleInTransactionMs: 0 };

export interface BenchWorldSizes {
  users: number;
  friendsPerUser: number;
  posts: number;
  days: number;
  likesPerUser: number;
}

export const FULL_WORLD: BenchWorldSizes = { users: 10_000, friendsPerUser: 150, posts: 500_000, days: 60, likesPerUser: 20 };
export const QUICK_WORLD: BenchWorldSizes = { users: 1_000, friendsPerUser: 50, posts: 30_000, days: 60, likesPerUser: 5 };

/** Sizes from the environment: BENCH_WORLD=quick picks QUICK_WORLD; BENCH_USERS, ... override single figures. */
export function benchWorldSizesFromEnv(env: NodeJS.ProcessEnv = process.env): BenchWorldSizes {
  const base = env.BENCH_WORLD === 'quick' ? QUICK_WORLD : FULL_WORLD;
  const n = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  return {
    users: n('BENCH_USERS', base.users),
    friendsPerUser: n('BENCH_FRIENDS', base.friendsPerUser),
    posts: n('BENCH_POSTS', base.posts),
    days: n('BENCH_DAYS', base.days),
    likesPerUser: n('BENCH_LIKES', base.likesPerUser),
  };
}

/** The id of bench user i (1-based), as seedBenchWorld created it. */
export const benchUserIdSql = (i: string) => `md5('bench-user-' || (${i}))::uuid`;

/** Seeds the world and VACUUM ANALYZEs it; returns how long each step took (ms). */
export async function seedBenchWorld(pool: pg.Pool, sizes: BenchWorldSizes, log: (line: string) => void = () => undefined) {
  const timings: Record<string, number> = {};
  const step = async (name: string, text: string, params: unknown[] = []) => {
    const started = Date.now();
    const result = await pool.query(text, params);
    timings[name] = Date.now() - started;
    log(`  ${name}: ${result.rowCount ?? 0} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  const half = Math.max(1, Math.floor(sizes.friendsPerUser / 2));

  await step(
    'users',
    `insert into users (id, email, username, password_hash, full_name, profile_visibility, is_active, email_verified, created_at)
     select ${benchUserIdSql('i')}, 'bench' || i || '@example.com', 'bench_' || i, 'x', 'Bench User ' || i,
       case when i % 20 = 0 then 'private' else 'everyone' end, true, true, now() - interval '90 days'
     from generate_series(1, $1::int) i`,
    [sizes.users],
  );
  await step(
    'friendships',
    `insert into friendships (user_id, friend_id, status, requested_at, accepted_at)
     select case when (i + k) % 2 = 0 then ${benchUserIdSql('i')} else ${benchUserIdSql('1 + (i + k - 1) % $1')} end,
            case when (i + k) % 2 = 0 then ${benchUserIdSql('1 + (i + k - 1) % $1')} else ${benchUserIdSql('i')} end,
            'accepted', now() - interval '80 days', now() - interval '80 days'
     from generate_series(1, $1::int) i cross join generate_series(1, $2::int) k`,
    [sizes.users, half],
  );
  await step(
    'posts',
    `insert into posts (user_id, caption, post_type, media_url, media_thumbnail_url, visibility, likes_count, comments_count, is_archived, created_at, updated_at)
     select ${benchUserIdSql('1 + floor(random() * $1)::int')}, 'Bench memory #' || s, 'photo',
       'https://cdn.example.com/posts/' || s || '/large.jpg', 'https://cdn.example.com/posts/' || s || '/thumb.jpg',
       case when r < 0.70 then 'friends' when r < 0.95 then 'public' else 'private' end,
       floor(random() * 51)::int, floor(random() * 11)::int, random() < 0.02, t, t
     from (select s, random() as r, now() - random() * ($3::int * interval '1 day') as t from generate_series(1, $2::int) s) g`,
    [sizes.users, sizes.posts, sizes.days],
  );
  if (sizes.likesPerUser > 0) {
    await step(
      'post_likes',
      `insert into post_likes (post_id, user_id, created_at)
       select p.id, ${benchUserIdSql('1 + floor(random() * $1)::int')}, now()
       from posts p tablesample bernoulli (least(100, 100.0 * $2::int * $1::int / greatest($3::int, 1)))
       on conflict do nothing`,
      [sizes.users, sizes.likesPerUser, sizes.posts],
    );
  }
  const started = Date.now();
  // VACUUM sets hint bits and the visibility map (index-only scans), as a settled production table has.
  await pool.query('vacuum (analyze)');
  timings.vacuumAnalyze = Date.now() - started;
  log(`  vacuum (analyze) in ${(timings.vacuumAnalyze / 1000).toFixed(1)} s`);
  return timings;
}
