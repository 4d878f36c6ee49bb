import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/infra/db/rows.js';
import { DEMO_PASSWORD, DEMO_USERS, demoEmail, seedDemoWorld, type SeedResult } from '../scripts/seed.js';
import { countRows, makeUser } from './factories.js';
import { createTestApp, type TestApp } from './harness.js';

/** Every table the seed writes (directly or through the sign-up flow). */
const TABLES = [
  'users',
  'password_history',
  'refresh_tokens',
  'email_verification_tokens',
  'friendships',
  'blocked_users',
  'accountability_partners',
  'goals',
  'goal_participants',
  'goal_contributions',
  'goal_milestones',
  'posts',
  'post_likes',
  'post_comments',
  'friends_inbox',
  'user_settings',
  'notification_preferences',
];

async function snapshot(t: TestApp): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = await countRows(t.ctx, table);
  return counts;
}

let ipCounter = 0;
/** The login route allows 5 attempts per 15 minutes per IP: every login comes from its own address. */
const nextIp = () => `10.77.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

function login(t: TestApp, email: string, password: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress: nextIp(),
  });
}

describe('seedDemoWorld on an empty database', () => {
  let t: TestApp;
  let result: SeedResult;
  beforeAll(async () => {
    t = await createTestApp();
    result = await seedDemoWorld(t.ctx);
  });
  afterAll(async () => t.close());

  it('seeds, reporting what it created', () => {
    expect(result.status).toBe('seeded');
    if (result.status !== 'seeded') return;
    expect(result.counts.users).toBe(DEMO_USERS.length);
    expect(result.usernames).toEqual(expect.arrayContaining(['brianokuku', 'clariegor', 'alvinamwata']));
  });

  it('creates every demo account, and each logs in with the demo password', async () => {
    const rows = await queryRows<{ username: string; email: string; full_name: string; timezone: string; bio: string | null }>(
      t.ctx.database.db,
      sql`select username, email, full_name, timezone, bio from users order by username`,
    );
    expect(rows).toHaveLength(DEMO_USERS.length);
    for (const demo of DEMO_USERS) {
      const row = rows.find((r) => r.username === demo.username);
      expect(row, demo.username).toMatchObject({
        email: demoEmail(demo.username),
        full_name: demo.fullName,
        timezone: demo.timezone,
      });
      expect(row?.bio).toBeTruthy();
    }
    for (const demo of DEMO_USERS) {
      const res = await login(t, demoEmail(demo.username), DEMO_PASSWORD);
      expect(res.statusCode, `${demo.username} logs in`).toBe(200);
      expect(res.json().user.username).toBe(demo.username);
      expect(typeof res.json().access_token).toBe('string');
    }
    const wrong = await login(t, demoEmail('brianokuku'), 'NotTheDemo123!');
    expect(wrong.statusCode).toBe(401);
  });

  it('verifies some emails and marks their verification tokens used', async () => {
    const [row] = await queryRows<{ verified: number; tokens_open: number }>(
      t.ctx.database.db,
      sql`select
        (select count(*)::int from users where email_verified) as verified,
        (select count(*)::int from email_verification_tokens v join users u on u.id = v.user_id
          where u.email_verified and not v.verified) as tokens_open`,
    );
    expect(row?.verified).toBe(DEMO_USERS.filter((u) => u.emailVerified).length);
    expect(row?.verified).toBeGreaterThan(0);
    expect(row?.tokens_open).toBe(0);
  });

  it('creates friendships, a block, partnerships, goals and posts', async () => {
    for (const table of ['friendships', 'blocked_users', 'accountability_partners', 'goals', 'goal_contributions', 'goal_milestones', 'posts', 'post_likes', 'post_comments']) {
      expect(await countRows(t.ctx, table), table).toBeGreaterThan(0);
    }
    const statuses = await queryRows<{ status: string; n: number }>(
      t.ctx.database.db,
      sql`select status, count(*)::int as n from friendships group by status`,
    );
    expect(Object.fromEntries(statuses.map((s) => [s.status, s.n]))).toMatchObject({
      accepted: expect.any(Number),
      pending: expect.any(Number),
    });
    const partners = await queryRows<{ status: string; check_in_frequency: string }>(
      t.ctx.database.db,
      sql`select status, check_in_frequency from accountability_partners`,
    );
    expect(partners.every((p) => p.status === 'active' && p.check_in_frequency === 'weekly')).toBe(true);
  });

  it("fills the friends inboxes: every friend's post of the inbox window, and nothing else", async () => {
    const [diff] = await queryRows<{ missing: number; extra: number; total: number }>(
      t.ctx.database.db,
      sql`with expected as (
          select case when f.user_id = p.user_id then f.friend_id else f.user_id end as reader, p.id as post_id
          from posts p join friendships f on f.status = 'accepted' and p.user_id in (f.user_id, f.friend_id)
          where p.created_at >= now() - interval '8 days')
        select (select count(*) from expected e where not exists (select 1 from friends_inbox i where i.user_id = e.reader and i.post_id = e.post_id))::int as missing,
               (select count(*) from friends_inbox i where not exists (select 1 from expected e where e.reader = i.user_id and e.post_id = i.post_id))::int as extra,
               (select count(*) from friends_inbox)::int as total`,
    );
    expect(diff).toEqual({ missing: 0, extra: 0, total: expect.any(Number) });
    expect(diff!.total).toBeGreaterThan(0);
  });

  it('every goal: contributions sum to current_amount, participants hold their share, progress matches', async () => {
    const goals = await queryRows<{
      title: string;
      target_type: string;
      status: string;
      target_amount: string | null;
      current_amount: string;
      progress_percentage: number;
      contributed: string;
      participant_total: string;
      milestones: number;
      achieved: number;
    }>(
      t.ctx.database.db,
      sql`select g.title, g.target_type, g.status, g.target_amount, g.current_amount, g.progress_percentage,
        (select coalesce(sum(c.amount), 0) from goal_contributions c where c.goal_id = g.id)::numeric(12, 2)::text as contributed,
        (select coalesce(sum(p.contribution_amount), 0) from goal_participants p where p.goal_id = g.id)::numeric(12, 2)::text
          as participant_total,
        (select count(*)::int from goal_milestones m where m.goal_id = g.id) as milestones,
        (select count(*)::int from goal_milestones m where m.goal_id = g.id and m.achieved) as achieved
      from goals g`,
    );
    expect(goals.length).toBeGreaterThan(0);
    for (const g of goals) {
      // Compared as NUMERIC text, exactly: "1950.00" = "1950.00".
      expect(g.contributed, `${g.title}: contributions`).toBe(g.current_amount);
      expect(g.participant_total, `${g.title}: participants' shares`).toBe(g.current_amount);
      const expected =
        g.target_type === 'amount'
          ? (Number(g.current_amount) / Number(g.target_amount)) * 100
          : (g.achieved / g.milestones) * 100;
      expect(g.progress_percentage, `${g.title}: progress`).toBeCloseTo(expected, 2);
      if (g.status === 'completed') expect(g.progress_percentage).toBe(100);
    }
    expect(goals.some((g) => g.status === 'completed')).toBe(true);
    expect(goals.some((g) => g.target_type === 'milestone' && g.milestones > 0)).toBe(true);
  });

  it('includes the plan\'s "Trip to Costa Rica 🌴": a 3000.00 USD group goal with participants', async () => {
    const [goal] = await queryRows<{
      goal_type: string;
      target_amount: string;
      target_currency: string;
      current_amount: string;
      participants: number;
      creator: string;
    }>(
      t.ctx.database.db,
      sql`select g.goal_type, g.target_amount, g.target_currency, g.current_amount, u.username as creator,
        (select count(*)::int from goal_participants p where p.goal_id = g.id) as participants
      from goals g join users u on u.id = g.creator_id where g.title = 'Trip to Costa Rica 🌴'`,
    );
    expect(goal).toMatchObject({
      goal_type: 'group',
      target_amount: '3000.00',
      target_currency: 'USD',
      current_amount: '1950.00',
      creator: 'brianokuku',
    });
    expect(goal?.participants).toBeGreaterThan(1);
  });

  it('post counters match their likes, comments and replies', async () => {
    const mismatched = await queryRows<{ id: string }>(
      t.ctx.database.db,
      sql`select p.id from posts p
        where p.likes_count <> (select count(*) from post_likes l where l.post_id = p.id)
           or p.comments_count <> (select count(*) from post_comments c where c.post_id = p.id)
        union all
        select c.id from post_comments c
        where c.replies_count <> (select count(*) from post_comments r where r.parent_comment_id = c.id)
           or c.likes_count <> (select count(*) from comment_likes l where l.comment_id = c.id)`,
    );
    expect(mismatched).toEqual([]);
    const [text] = await queryRows<{ bad: number }>(
      t.ctx.database.db,
      sql`select count(*)::int as bad from posts where post_type <> 'text' or media_url is not null`,
    );
    expect(text?.bad).toBe(0);
  });

  it("users' goals_achieved and photos_shared match the rows, and the stats endpoint shows them", async () => {
    const mismatched = await queryRows<{ username: string }>(
      t.ctx.database.db,
      sql`select u.username from users u
        where u.goals_achieved <> (select count(*) from goal_participants gp join goals g on g.id = gp.goal_id
                                   where gp.user_id = u.id and gp.left_at is null and g.status = 'completed')
           or u.photos_shared <> (select count(*) from posts p
                                  where p.user_id = u.id and p.post_type in ('photo', 'video') and not p.is_archived)`,
    );
    expect(mismatched).toEqual([]);
    const [achiever] = await queryRows<{ id: string; username: string; goals_achieved: number }>(
      t.ctx.database.db,
      sql`select id, username, goals_achieved from users where goals_achieved > 0 order by username limit 1`,
    );
    expect(achiever).toBeDefined();
    const viewer = await login(t, demoEmail('alvinamwata'), DEMO_PASSWORD);
    const stats = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users/${achiever!.id}/stats`,
      headers: { authorization: `Bearer ${viewer.json().access_token}` },
    });
    // brianonyango is alvinamwata's friend (and has a public profile), so the stats are visible.
    expect(stats.statusCode).toBe(200);
    expect(stats.json().goals_achieved).toBe(achiever!.goals_achieved);
    expect(stats.json().friends_count).toBeGreaterThan(0);
  });

  it('gives every user settings and notification preferences', async () => {
    expect(await countRows(t.ctx, 'user_settings')).toBe(DEMO_USERS.length);
    expect(await countRows(t.ctx, 'notification_preferences')).toBe(DEMO_USERS.length);
  });

  it('a second run refuses because users exist, and writes nothing', async () => {
    const before = await snapshot(t);
    const again = await seedDemoWorld(t.ctx);
    expect(again.status).toBe('refused');
    if (again.status === 'refused') expect(again.reason).toMatch(/already has \d+ user/);
    expect(await snapshot(t)).toEqual(before);
  });

  it('with force it still refuses, because the demo accounts exist, and writes nothing', async () => {
    const before = await snapshot(t);
    const again = await seedDemoWorld(t.ctx, { force: true });
    expect(again.status).toBe('refused');
    if (again.status === 'refused') expect(again.reason).toMatch(/demo accounts already exist/);
    expect(await snapshot(t)).toEqual(before);
  });
});

describe('seedDemoWorld when it cannot finish, and next to other users', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('when the world cannot be written, deletes the accounts it created, so a retry starts clean', async () => {
    // Make the world's transaction fail after the accounts exist: inserting a goal raises.
    const db = t.ctx.database.db;
    await db.execute(sql`create function seed_test_fail() returns trigger language plpgsql as
      $$ begin raise exception 'disk full'; end $$`);
    await db.execute(sql`create trigger seed_test_fail before insert on goals execute function seed_test_fail()`);
    try {
      await expect(seedDemoWorld(t.ctx)).rejects.toThrow();
    } finally {
      await db.execute(sql`drop trigger seed_test_fail on goals`);
      await db.execute(sql`drop function seed_test_fail()`);
    }
    // The accounts had been created (each was sent its verification mail) and are gone again.
    expect(await t.mails()).toHaveLength(DEMO_USERS.length);
    for (const table of TABLES) expect(await countRows(t.ctx, table), table).toBe(0);
  });

  it('refuses without force, and with force adds the demo world leaving the other user as it was', async () => {
    const other = await makeUser(t.ctx, { password: 'OtherPass123!' });
    const before = await snapshot(t);
    const refused = await seedDemoWorld(t.ctx);
    expect(refused.status).toBe('refused');
    expect(await snapshot(t)).toEqual(before);

    const seeded = await seedDemoWorld(t.ctx, { force: true });
    expect(seeded.status).toBe('seeded');
    expect(await countRows(t.ctx, 'users')).toBe(DEMO_USERS.length + 1);
    const res = await login(t, other.email, 'OtherPass123!');
    expect(res.statusCode).toBe(200);
    const [untouched] = await queryRows<{ n: number }>(
      t.ctx.database.db,
      sql`select (select count(*)::int from friendships where user_id = ${other.id} or friend_id = ${other.id})
        + (select count(*)::int from goal_participants where user_id = ${other.id}) as n`,
    );
    expect(untouched?.n).toBe(0);
  });
});
