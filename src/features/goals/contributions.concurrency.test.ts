import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, productionMode, type TestApp } from '../../../test/harness.js';
import { AppError } from '../../lib/app-error.js';
import { createGoal, goalsAchieved, NO_RATE_LIMITS, scalar } from './goals.test-helpers.js';

/**
 * Contributions under concurrency. On PostgreSQL (production mode) the transactions really run in
 * parallel on a connection pool and race for the goal's row; on PGlite they are serialised by its
 * single connection, so there the same assertions check the arithmetic only.
 */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const money = async (query: ReturnType<typeof sql>) => String(await scalar(t.ctx, query));

/** Runs `count` calls, `concurrency` at a time, and returns their settled results. */
async function inBatches<T>(count: number, concurrency: number, call: (i: number) => Promise<T>): Promise<Array<PromiseSettledResult<T>>> {
  const results: Array<PromiseSettledResult<T>> = [];
  for (let start = 0; start < count; start += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - start) }, (_, k) => call(start + k));
    results.push(...(await Promise.allSettled(batch)));
  }
  return results;
}

describe(`concurrent contributions (${productionMode ? 'PostgreSQL' : 'PGlite'})`, () => {
  // The concurrency claim is about PostgreSQL (many connections); PGlite has one connection and runs
  // them one after another, so the embedded run checks the same arithmetic on a fifth of the load.
  const COUNT = productionMode ? 1000 : 200;
  const TOTAL = (COUNT / 100).toFixed(2);

  it(`${COUNT.toLocaleString('en-US')} concurrent contributions of 0.01 add exactly ${TOTAL}: goal, rows and participant total, no lost update`, { timeout: 180_000 }, async () => {
    const u = await makeUser(t.ctx);
    const goal = await createGoal(t, u, { target_amount: 1000 });
    const contributions = t.ctx.services.goalContributions;
    const results = await inBatches(COUNT, 100, () =>
      contributions.contribute(u.id, goal.id, { amount: 0.01, contributionType: 'monetary' }),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

    expect(await money(sql`select current_amount::text from goals where id = ${goal.id}`)).toBe(TOTAL);
    expect(await money(sql`select sum(amount)::text from goal_contributions where goal_id = ${goal.id}`)).toBe(TOTAL);
    expect(Number(await scalar(t.ctx, sql`select count(*)::int from goal_contributions where goal_id = ${goal.id}`))).toBe(COUNT);
    expect(
      await money(sql`select contribution_amount::text from goal_participants where goal_id = ${goal.id} and user_id = ${u.id}`),
    ).toBe(TOTAL);
    expect(Number(await scalar(t.ctx, sql`select progress_percentage from goals where id = ${goal.id}`))).toBe(COUNT / 1000);
  });

  it('when many contributions cross the target at once, the goal completes once and goals_achieved rises by one per participant', { timeout: 60_000 }, async () => {
    const creator = await makeUser(t.ctx);
    const members: TestUser[] = [];
    for (let i = 0; i < 4; i++) {
      const m = await makeUser(t.ctx);
      await makeFriends(t.ctx, creator, m);
      members.push(m);
    }
    const everyone = [creator, ...members];
    const goal = await createGoal(t, creator, { goal_type: 'group', target_amount: 10, participant_ids: members.map((m) => m.id) });
    let completedEvents = 0;
    t.ctx.bus.onCommit('goal.completed', (e) => {
      if (e.goal.goalId === goal.id) completedEvents += 1;
    });

    // 40 contributions of 1.00 at once, from five people, to a goal of 10.00.
    const results = await inBatches(40, 40, (i) =>
      t.ctx.services.goalContributions.contribute(everyone[i % everyone.length]!.id, goal.id, { amount: 1, contributionType: 'monetary' }),
    );
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(accepted).toHaveLength(10);
    expect(refused.every((r) => r.reason instanceof AppError && r.reason.code === 'goal_not_active')).toBe(true);
    expect(accepted.filter((r) => r.status === 'fulfilled' && r.value.goal.status === 'completed')).toHaveLength(1);

    expect(await money(sql`select current_amount::text from goals where id = ${goal.id}`)).toBe('10.00');
    expect(await money(sql`select sum(amount)::text from goal_contributions where goal_id = ${goal.id}`)).toBe('10.00');
    expect(await money(sql`select sum(contribution_amount)::text from goal_participants where goal_id = ${goal.id}`)).toBe('10.00');
    expect(await scalar(t.ctx, sql`select status from goals where id = ${goal.id}`)).toBe('completed');
    for (const p of everyone) expect(await goalsAchieved(t.ctx, p)).toBe(1);
    await t.ctx.bus.drain();
    expect(completedEvents).toBe(1);
  });

  it('a creator’s explicit completion racing contributions that reach the target still completes once', { timeout: 60_000 }, async () => {
    const [creator, member] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, member);
    const goal = await createGoal(t, creator, { goal_type: 'group', target_amount: 5, participant_ids: [member.id] });
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < 10; i++) {
      calls.push(t.ctx.services.goalContributions.contribute(member.id, goal.id, { amount: 1, contributionType: 'monetary' }));
      if (i === 3) calls.push(t.ctx.services.goals.complete(creator.id, goal.id));
    }
    await Promise.allSettled(calls);
    expect(await scalar(t.ctx, sql`select status from goals where id = ${goal.id}`)).toBe('completed');
    expect([await goalsAchieved(t.ctx, creator), await goalsAchieved(t.ctx, member)]).toEqual([1, 1]);
    expect(await money(sql`select current_amount::text from goals where id = ${goal.id}`)).toBe(
      await money(sql`select coalesce(sum(amount), 0)::numeric(12,2)::text from goal_contributions where goal_id = ${goal.id}`),
    );
  });
});
