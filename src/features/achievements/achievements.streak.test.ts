import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { NO_RATE_LIMITS } from '../goals/goals.test-helpers.js';
import { awards } from './achievements.test-helpers.js';

/**
 * contribution_streak_7: contributions on 7 consecutive calendar days in the user's own time zone.
 * Time moves with a FakeClock; contributions go through the goals service (access tokens would
 * expire as the clock moves days ahead), which publishes the real events.
 */
const clock = new FakeClock('2026-01-01T12:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ clock, env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

async function userWithGoal(timezone: string): Promise<{ user: TestUser; goalId: string }> {
  clock.set('2026-01-01T12:00:00Z');
  const user = await makeUser(t.ctx);
  await t.ctx.services.users.updateProfile(user.id, { timezone });
  const goal = await t.ctx.services.goals.create(user.id, {
    title: 'Save every day',
    goalType: 'individual',
    targetType: 'amount',
    targetAmount: 1_000_000,
  });
  return { user, goalId: goal.goal.id };
}

/** Contributes at each instant, in order; returns whether the streak badge is held afterwards. */
async function contributeAt(who: { user: TestUser; goalId: string }, instants: string[]): Promise<number> {
  for (const at of instants) {
    clock.set(at);
    await t.ctx.services.goalContributions.contribute(who.user.id, who.goalId, { amount: 1, contributionType: 'monetary' });
    await t.ctx.bus.drain();
  }
  return awards(t.ctx, who.user, 'contribution_streak_7');
}

const utcDays = (from: number, to: number, time = '12:00:00') =>
  Array.from({ length: to - from + 1 }, (_, i) => `2026-01-${String(from + i).padStart(2, '0')}T${time}Z`);

describe('contribution_streak_7', () => {
  it('is awarded on the seventh consecutive day, not the sixth, with earned_at = that moment', async () => {
    const me = await userWithGoal('UTC');
    expect(await contributeAt(me, utcDays(10, 15))).toBe(0);
    // Several contributions on one day count as one day.
    expect(await contributeAt(me, ['2026-01-15T18:00:00Z', '2026-01-15T23:59:00Z'])).toBe(0);
    expect(await contributeAt(me, ['2026-01-16T00:01:00Z'])).toBe(1);
    const res = await t.ctx.services.achievements.earnedBy(me.user.id, me.user.id);
    expect(res.find((a) => a.code === 'contribution_streak_7')?.earnedAt?.toISOString()).toBe('2026-01-16T00:01:00.000Z');
  });

  it('a missed day breaks the run; a new run of seven earns it', async () => {
    const me = await userWithGoal('UTC');
    expect(await contributeAt(me, utcDays(2, 4))).toBe(0);
    expect(await contributeAt(me, utcDays(6, 11))).toBe(0); // 3 + gap + 6
    expect(await contributeAt(me, utcDays(12, 12))).toBe(1); // 6..12
    expect(await contributeAt(me, utcDays(13, 20))).toBe(1); // still one award
  });

  it('counts days in the user’s time zone: 7 local days over only 6 UTC dates earns it (Pacific/Auckland, UTC+13)', async () => {
    const me = await userWithGoal('Pacific/Auckland');
    const instants = [
      '2026-01-10T10:30:00Z', // local Jan 10, 23:30
      '2026-01-10T11:30:00Z', // local Jan 11, 00:30 — same UTC date as the one before
      '2026-01-11T23:00:00Z', // local Jan 12, 12:00
      '2026-01-12T23:00:00Z', // local Jan 13
      '2026-01-13T23:00:00Z', // local Jan 14
      '2026-01-14T23:00:00Z', // local Jan 15
    ];
    expect(await contributeAt(me, instants)).toBe(0);
    expect(await contributeAt(me, ['2026-01-15T23:00:00Z'])).toBe(1); // local Jan 16: seven local days, UTC dates 10..15
  });

  it('and 7 UTC dates with a local gap do not (America/Los_Angeles, UTC-8)', async () => {
    const me = await userWithGoal('America/Los_Angeles');
    const instants = [
      '2026-01-10T07:00:00Z', // local Jan 9, 23:00
      '2026-01-11T09:00:00Z', // local Jan 11, 01:00 — local Jan 10 has nothing
      ...utcDays(12, 16, '20:00:00'), // local Jan 12..16, noon
    ];
    expect(await contributeAt(me, instants)).toBe(0); // UTC dates 10..16 are consecutive; local days are 9, 11..16
    expect(await contributeAt(me, ['2026-01-17T20:00:00Z'])).toBe(1); // local 11..17
  });
});
