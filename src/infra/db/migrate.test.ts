import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { queryRows } from './rows.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('migrations', () => {
  it('are idempotent: applying them again to a migrated database changes nothing', async () => {
    const before = await queryRows<{ n: number }>(t.ctx.database.db, sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
    await t.ctx.database.migrate();
    await t.ctx.database.migrate();
    const after = await queryRows<{ n: number }>(t.ctx.database.db, sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('create the whole schema of plan section 3 (3.1–3.9) with its indexes and extensions', async () => {
    const tables = (
      await queryRows<{ table_name: string }>(
        t.ctx.database.db,
        sql`select table_name from information_schema.tables where table_schema = 'public'`,
      )
    ).map((r) => r.table_name);
    for (const table of [
      'users', 'refresh_tokens', 'password_reset_tokens', 'email_verification_tokens', 'friendships', 'friend_suggestions',
      'accountability_partners', 'goals', 'goal_participants', 'goal_contributions', 'goal_milestones', 'goal_reminders',
      'posts', 'stories', 'story_views', 'post_likes', 'post_comments', 'comment_likes', 'conversations',
      'conversation_participants', 'messages', 'message_reads', 'ai_coach_sessions', 'notifications',
      'notification_preferences', 'push_tokens', 'user_settings', 'blocked_users', 'user_activities', 'achievements',
      'user_achievements', 'feed_entries', 'tribes', 'tribe_members', 'tribe_invitations', 'password_history',
    ]) {
      expect(tables, table).toContain(table);
    }
    const indexes = (
      await queryRows<{ indexname: string }>(t.ctx.database.db, sql`select indexname from pg_indexes where schemaname = 'public'`)
    ).map((r) => r.indexname);
    for (const index of ['idx_users_last_seen', 'idx_posts_user', 'idx_messages_conversation', 'idx_notifications_user', 'idx_feed_user_score', 'idx_tribe_invitations_invitee']) {
      expect(indexes, index).toContain(index);
    }
    const extensions = (await queryRows<{ extname: string }>(t.ctx.database.db, sql`select extname from pg_extension`)).map((r) => r.extname);
    expect(extensions).toEqual(expect.arrayContaining(['pg_trgm', 'unaccent']));
  });

  it('enforce the plan’s constraints (e.g. one friendship per pair, no self-friendship)', async () => {
    const [a, b] = await queryRows<{ id: string }>(
      t.ctx.database.db,
      sql`insert into users (email, username, password_hash, full_name) values ('c1@x.io', 'c1', 'h', 'C1'), ('c2@x.io', 'c2', 'h', 'C2') returning id`,
    );
    await t.ctx.database.db.execute(sql`insert into friendships (user_id, friend_id, status) values (${a!.id}, ${b!.id}, 'pending')`);
    await expect(
      t.ctx.database.db.execute(sql`insert into friendships (user_id, friend_id, status) values (${b!.id}, ${a!.id}, 'pending')`),
    ).rejects.toThrow();
    await expect(
      t.ctx.database.db.execute(sql`insert into friendships (user_id, friend_id, status) values (${a!.id}, ${a!.id}, 'pending')`),
    ).rejects.toThrow();
    await expect(
      t.ctx.database.db.execute(sql`insert into friendships (user_id, friend_id, status) values (${a!.id}, ${b!.id}, 'besties')`),
    ).rejects.toThrow();
  });
});
