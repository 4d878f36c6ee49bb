import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import type { AppContext } from '../../context.js';
import type { DomainEvents } from '../../infra/bus/domain-events.js';
import { FakeClock } from '../../infra/clock/clock.js';
import type { Database } from '../../infra/db/database.js';
import { openPostgresDatabase } from '../../infra/db/postgres-database.js';
import { queryRows } from '../../infra/db/rows.js';
import { goalRemindersJob } from './goal-reminders.jobs.js';
import { GoalRemindersService, type NewReminder } from './goal-reminders.service.js';

type ReminderDue = DomainEvents['goal.reminder_due'];

let t: TestApp;
const clock = new FakeClock('2026-01-15T12:00:00Z');
const events: ReminderDue[] = [];
const MINUTE = 60_000;

/** A goal with its participants, written directly so these tests do not depend on the goals core. */
async function makeGoal(ctx: AppContext, creator: TestUser, members: TestUser[] = []): Promise<string> {
  const [goal] = await queryRows<{ id: string }>(
    ctx.database.db,
    sql`insert into goals (creator_id, title, goal_type, target_type)
        values (${creator.id}, 'Run a marathon', ${members.length ? 'group' : 'individual'}, 'milestone') returning id`,
  );
  await ctx.database.db.execute(sql`insert into goal_participants (goal_id, user_id, role) values (${goal!.id}, ${creator.id}, 'creator')`);
  for (const m of members) {
    await ctx.database.db.execute(sql`insert into goal_participants (goal_id, user_id, role) values (${goal!.id}, ${m.id}, 'member')`);
  }
  return goal!.id;
}

async function reminderRow(id: string) {
  const [row] = await queryRows<{ next_fire_at: string | null; last_fired_at: string | null }>(
    t.ctx.database.db,
    sql`select to_json(next_fire_at) #>> '{}' as next_fire_at, to_json(last_fired_at) #>> '{}' as last_fired_at
        from goal_reminders where id = ${id}`,
  );
  const iso = (v: string | null) => (v === null ? null : new Date(v).toISOString());
  return { nextFireAt: iso(row!.next_fire_at), lastFiredAt: iso(row!.last_fired_at) };
}

/** A user with a goal and one reminder on it, created at the clock's current time. */
async function userWithReminder(input: NewReminder) {
  const user = await makeUser(t.ctx);
  const goalId = await makeGoal(t.ctx, user);
  const reminder = await t.ctx.services.goalReminders.create(user.id, goalId, input);
  return { user, goalId, reminder };
}

const eventsFor = (reminderId: string) => events.filter((e) => e.reminderId === reminderId);

/** Runs the registered job at the clock's time, as the scheduler would, and waits for subscribers. */
async function runJob(): Promise<void> {
  await t.ctx.jobs.runCronNow('goal-reminders');
  await t.ctx.bus.drain();
}

/** Runs the job every `stepMs` from the clock's time up to `until`. */
async function runEvery(stepMs: number, until: string): Promise<void> {
  const end = new Date(until).getTime();
  while (clock.now().getTime() <= end) {
    await runJob();
    clock.advance(stepMs);
  }
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  t.ctx.bus.onCommit('goal.reminder_due', (e) => void events.push(e));
});
afterAll(async () => t.close());
afterEach(async () => {
  // Each test starts with nothing due: earlier tests' reminders must not fire into its counts.
  await t.ctx.database.db.execute(sql`update goal_reminders set is_active = false, next_fire_at = null`);
  await t.ctx.bus.drain();
  events.length = 0;
});

describe('the goal-reminders job', () => {
  it('is scheduled on the job engine every minute', () => {
    expect(t.ctx.jobs.cronJobs.map((job) => job.name)).toContain('goal-reminders');
    expect(goalRemindersJob(t.ctx.services.goalReminders)).toMatchObject({ name: 'goal-reminders', cron: '* * * * *' });
  });

  it('fires a daily 08:00 America/New_York reminder once a day, at 13:00Z before the March change and 12:00Z after', async () => {
    clock.set('2026-03-06T12:00:00Z');
    const { user, goalId, reminder } = await userWithReminder({ type: 'daily', time: '08:00', timezone: 'America/New_York' });
    await runEvery(10 * MINUTE, '2026-03-10T00:00:00Z');
    const fired = eventsFor(reminder.id);
    expect(fired.map((e) => [e.at, e.occurrence])).toEqual([
      ['2026-03-06T13:00:00.000Z', '2026-03-06T08:00'],
      ['2026-03-07T13:00:00.000Z', '2026-03-07T08:00'],
      ['2026-03-08T12:00:00.000Z', '2026-03-08T08:00'],
      ['2026-03-09T12:00:00.000Z', '2026-03-09T08:00'],
    ]);
    expect(fired[0]).toEqual({
      reminderId: reminder.id,
      goalId,
      goalTitle: 'Run a marathon',
      userId: user.id,
      occurrence: '2026-03-06T08:00',
      timezone: 'America/New_York',
      at: '2026-03-06T13:00:00.000Z',
    });
    expect(await reminderRow(reminder.id)).toEqual({
      nextFireAt: '2026-03-10T12:00:00.000Z',
      lastFiredAt: '2026-03-09T12:00:00.000Z',
    });
  });

  it('Europe/Berlin: 02:30 fires at 03:00 on the spring-forward day and once on the fall-back day', async () => {
    clock.set('2026-03-28T12:00:00Z');
    const spring = await userWithReminder({ type: 'daily', time: '02:30', timezone: 'Europe/Berlin' });
    await runEvery(10 * MINUTE, '2026-03-30T12:00:00Z');
    expect(eventsFor(spring.reminder.id).map((e) => [e.at, e.occurrence])).toEqual([
      ['2026-03-29T01:00:00.000Z', '2026-03-29T03:00'],
      ['2026-03-30T00:30:00.000Z', '2026-03-30T02:30'],
    ]);

    clock.set('2026-10-24T12:00:00Z');
    const autumn = await userWithReminder({ type: 'daily', time: '02:30', timezone: 'Europe/Berlin' });
    await runEvery(10 * MINUTE, '2026-10-26T12:00:00Z');
    expect(eventsFor(autumn.reminder.id).map((e) => [e.at, e.occurrence])).toEqual([
      ['2026-10-25T00:30:00.000Z', '2026-10-25T02:30'], // the first 02:30 (CEST); the second (01:30Z) does not fire
      ['2026-10-26T01:30:00.000Z', '2026-10-26T02:30'],
    ]);
  });

  it('fires only on the listed local weekdays', async () => {
    clock.set('2026-05-01T00:00:00Z'); // a Friday
    const { reminder } = await userWithReminder({ type: 'custom', time: '09:00', days: [1, 3], timezone: 'Africa/Nairobi' });
    await runEvery(30 * MINUTE, '2026-05-08T00:00:00Z');
    expect(eventsFor(reminder.id).map((e) => e.occurrence)).toEqual(['2026-05-04T09:00', '2026-05-06T09:00']);
  });
});

describe('exactly once with concurrent callers', () => {
  it('five service instances firing at once (small batches) fire each of 30 occurrences exactly once', async () => {
    clock.set('2026-05-11T06:00:00Z');
    const ids: string[] = [];
    for (let u = 0; u < 3; u++) {
      const user = await makeUser(t.ctx);
      const goalId = await makeGoal(t.ctx, user);
      for (let i = 0; i < 10; i++) {
        const r = await t.ctx.services.goalReminders.create(user.id, goalId, { type: 'daily', time: `07:0${i}`, timezone: 'UTC' });
        ids.push(r.id);
      }
    }
    // Five "worker processes": separate service instances sharing nothing but the database — on
    // PostgreSQL each with a connection pool of its own, like separate processes.
    const url = (t.ctx.database as Database & { pool?: { options: { connectionString?: string } } }).pool?.options.connectionString;
    const pools = url ? Array.from({ length: 5 }, () => openPostgresDatabase({ url, poolSize: 2 })) : [];
    onTestFinished(async () => void (await Promise.all(pools.map((p) => p.close()))));
    const workers = Array.from(
      { length: 5 },
      (_, i) => new GoalRemindersService(pools[i] ?? t.ctx.database, t.ctx.bus, clock, { fireBatchSize: 4 }),
    );
    for (const day of ['2026-05-11', '2026-05-12']) {
      clock.set(`${day}T07:30:00Z`);
      const now = clock.now();
      const results = await Promise.all(workers.map((w) => w.fireDueReminders(now)));
      await t.ctx.bus.drain();
      expect(results.reduce((sum, r) => sum + r.fired, 0)).toBe(30);
      expect(results.reduce((sum, r) => sum + r.skipped, 0)).toBe(0);
      const today = events.filter((e) => e.occurrence.startsWith(day));
      expect(today).toHaveLength(30);
      expect(new Set(today.map((e) => e.reminderId))).toEqual(new Set(ids));
      // A second wave in the same minute finds nothing left.
      const again = await Promise.all(workers.map((w) => w.fireDueReminders(now)));
      expect(again.every((r) => r.fired === 0 && r.skipped === 0)).toBe(true);
    }
    await t.ctx.bus.drain();
    expect(events).toHaveLength(60);
  });

  it('the scheduled job and a manual run racing for the same minute fire once', async () => {
    clock.set('2026-05-20T06:00:00Z');
    const { reminder } = await userWithReminder({ type: 'daily', time: '06:30', timezone: 'UTC' });
    clock.set('2026-05-20T06:30:00Z');
    await Promise.all([
      t.ctx.jobs.runCronNow('goal-reminders'),
      t.ctx.jobs.runCronNow('goal-reminders'),
      t.ctx.services.goalReminders.fireDueReminders(clock.now()),
    ]);
    await t.ctx.bus.drain();
    expect(eventsFor(reminder.id)).toHaveLength(1);
  });
});

describe('after downtime ("restart")', () => {
  it('an occurrence missed by less than an hour fires late, once, from a fresh process', async () => {
    clock.set('2026-06-01T07:00:00Z');
    const { reminder } = await userWithReminder({ type: 'daily', time: '08:00', timezone: 'UTC' });
    clock.set('2026-06-01T08:40:00Z'); // the scheduler was down from 07:50 to 08:40
    const restarted = new GoalRemindersService(t.ctx.database, t.ctx.bus, clock);
    expect(await restarted.fireDueReminders(clock.now())).toEqual({ fired: 1, skipped: 0 });
    await t.ctx.bus.drain();
    expect(eventsFor(reminder.id).map((e) => [e.occurrence, e.at])).toEqual([['2026-06-01T08:00', '2026-06-01T08:40:00.000Z']]);
    expect(await reminderRow(reminder.id)).toEqual({ nextFireAt: '2026-06-02T08:00:00.000Z', lastFiredAt: '2026-06-01T08:40:00.000Z' });
    expect(await restarted.fireDueReminders(clock.now())).toEqual({ fired: 0, skipped: 0 });
  });

  it('exactly one hour late still fires; a minute more is skipped', async () => {
    clock.set('2026-06-10T07:00:00Z');
    const onTime = await userWithReminder({ type: 'daily', time: '08:00', timezone: 'UTC' });
    const tooLate = await userWithReminder({ type: 'daily', time: '07:59', timezone: 'UTC' });
    clock.set('2026-06-10T09:00:00Z');
    expect(await t.ctx.services.goalReminders.fireDueReminders(clock.now())).toEqual({ fired: 1, skipped: 1 });
    await t.ctx.bus.drain();
    expect(eventsFor(onTime.reminder.id)).toHaveLength(1);
    expect(eventsFor(tooLate.reminder.id)).toHaveLength(0);
    expect(await reminderRow(tooLate.reminder.id)).toEqual({ nextFireAt: '2026-06-11T07:59:00.000Z', lastFiredAt: null });
  });

  it('older occurrences do not pile up: three days down fire nothing, and only the next future one is scheduled', async () => {
    clock.set('2026-07-01T07:00:00Z');
    const { reminder } = await userWithReminder({ type: 'daily', time: '08:00', timezone: 'UTC' });
    clock.set('2026-07-04T10:30:00Z');
    const restarted = new GoalRemindersService(t.ctx.database, t.ctx.bus, clock);
    expect(await restarted.fireDueReminders(clock.now())).toEqual({ fired: 0, skipped: 1 });
    expect(await reminderRow(reminder.id)).toEqual({ nextFireAt: '2026-07-05T08:00:00.000Z', lastFiredAt: null });
    expect(await restarted.fireDueReminders(clock.now())).toEqual({ fired: 0, skipped: 0 });
    clock.set('2026-07-05T08:00:00Z');
    await runJob();
    expect(eventsFor(reminder.id).map((e) => e.occurrence)).toEqual(['2026-07-05T08:00']);
  });
});

describe('reminders that must not fire', () => {
  it('a paused reminder does not fire (and is not scanned)', async () => {
    clock.set('2026-08-01T07:00:00Z');
    const { user, goalId, reminder } = await userWithReminder({ type: 'daily', time: '08:00', timezone: 'UTC' });
    await t.ctx.services.goalReminders.update(user.id, goalId, reminder.id, { isActive: false });
    clock.set('2026-08-01T08:00:00Z');
    expect(await t.ctx.services.goalReminders.fireDueReminders(clock.now())).toEqual({ fired: 0, skipped: 0 });
    await t.ctx.bus.drain();
    expect(eventsFor(reminder.id)).toHaveLength(0);
  });

  it('a participant who left gets nothing; the reminder is skipped past, and fires again if they rejoin', async () => {
    clock.set('2026-08-05T07:00:00Z');
    const creator = await makeUser(t.ctx);
    const member = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, creator, [member]);
    const reminder = await t.ctx.services.goalReminders.create(member.id, goalId, { type: 'daily', time: '08:00', timezone: 'UTC' });
    await t.ctx.database.db.execute(sql`update goal_participants set left_at = now() where goal_id = ${goalId} and user_id = ${member.id}`);
    clock.set('2026-08-05T08:00:00Z');
    expect(await t.ctx.services.goalReminders.fireDueReminders(clock.now())).toEqual({ fired: 0, skipped: 1 });
    expect(await reminderRow(reminder.id)).toEqual({ nextFireAt: '2026-08-06T08:00:00.000Z', lastFiredAt: null });
    await t.ctx.database.db.execute(sql`update goal_participants set left_at = null where goal_id = ${goalId} and user_id = ${member.id}`);
    clock.set('2026-08-06T08:00:00Z');
    await runJob();
    expect(eventsFor(reminder.id).map((e) => e.occurrence)).toEqual(['2026-08-06T08:00']);
  });

  it('a completed, paused or cancelled goal’s reminders do not fire', async () => {
    clock.set('2026-08-10T07:00:00Z');
    const created = [];
    for (const status of ['completed', 'paused', 'cancelled']) {
      const r = await userWithReminder({ type: 'daily', time: '08:00', timezone: 'UTC' });
      await t.ctx.database.db.execute(sql`update goals set status = ${status} where id = ${r.goalId}`);
      created.push(r);
    }
    clock.set('2026-08-10T08:00:00Z');
    expect(await t.ctx.services.goalReminders.fireDueReminders(clock.now())).toEqual({ fired: 0, skipped: 3 });
    await t.ctx.bus.drain();
    expect(events).toHaveLength(0);
  });
});
