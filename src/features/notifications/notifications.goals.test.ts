import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../infra/clock/clock.js';
import { makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { createGoal, makePartners } from '../goals/goals.test-helpers.js';
import { NO_RATE_LIMITS, notificationsOf, setPreferences } from './notifications.test-helpers.js';
import { http } from '../../../test/http.js';

let t: TestApp;
const clock = new FakeClock('2026-05-04T08:00:00Z');
beforeAll(async () => {
  t = await createTestApp({
    env: { ...NO_RATE_LIMITS, ACCESS_TOKEN_EXPIRE_MINUTES: '1440' },
    clock,
    overrides: { pushDelivery: { kickOnEnqueue: false } },
  });
});
afterAll(async () => t.close());

const { post } = http(() => t);
const ofType = async (u: TestUser, type: string) => notificationsOf(t.ctx, u, type);

async function group(names: string[]) {
  const people: TestUser[] = [];
  for (const fullName of names) people.push(await makeUser(t.ctx, { fullName }));
  const [creator, ...members] = people as [TestUser, ...TestUser[]];
  for (const m of members) await makeFriends(t.ctx, creator, m);
  return { creator, members };
}

describe('goal events', () => {
  it('a group goal created with members invites them (not the creator); adding a participant invites them', async () => {
    const { creator, members } = await group(['Clarie Gor', 'Mia', 'Nia']);
    const [mia, nia] = members as [TestUser, TestUser];
    const goal = await createGoal(t, creator, { title: 'Run a 5k', goal_type: 'group', participant_ids: [mia.id] });
    expect(await ofType(mia, 'goal_invite')).toMatchObject([
      { message: 'Clarie Gor added you to the goal “Run a 5k”', related_goal_id: goal.id, related_user_id: creator.id, action_url: `/goals/${goal.id}`, icon_type: 'flag' },
    ]);
    expect(await ofType(creator, 'goal_invite')).toEqual([]);
    expect((await post(`/api/v1/goals/${goal.id}/participants`, { user_id: nia.id }, creator)).statusCode).toBe(201);
    expect(await ofType(nia, 'goal_invite')).toHaveLength(1);
    expect(await ofType(mia, 'goal_invite')).toHaveLength(1);
  });

  it('contribution, milestone and completion notify the other participants only; goal_updates off and blocks stop them', async () => {
    const { creator, members } = await group(['Clarie Gor', 'Mia', 'Nia', 'Oto']);
    const [mia, nia, oto] = members as [TestUser, TestUser, TestUser];
    const goal = await createGoal(t, creator, { title: 'Bike fund', goal_type: 'group', target_amount: 100, participant_ids: [mia.id, nia.id, oto.id] });
    expect((await post(`/api/v1/goals/${goal.id}/milestones`, { title: 'Halfway', target_value: 50 }, creator)).statusCode).toBe(201);
    await setPreferences(t.ctx, nia, { goalUpdates: false });
    await makeBlock(t.ctx, oto, mia);

    const paid = await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 60 }, mia);
    expect(paid.statusCode, paid.body).toBe(201);
    expect(await ofType(creator, 'goal_contribution')).toMatchObject([
      { message: 'Mia contributed 60.00 USD to “Bike fund”', related_user_id: mia.id, related_goal_id: goal.id, action_url: `/goals/${goal.id}` },
    ]);
    expect(await ofType(creator, 'goal_milestone')).toMatchObject([{ title: 'Milestone Achieved! 🎯', message: 'Mia reached “Halfway” in “Bike fund”' }]);
    for (const u of [mia, nia, oto]) {
      expect(await ofType(u, 'goal_contribution'), u.user.fullName).toEqual([]);
      expect(await ofType(u, 'goal_milestone'), u.user.fullName).toEqual([]);
    }

    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 40 }, creator);
    expect(await ofType(mia, 'goal_completed')).toMatchObject([
      { title: 'Goal Completed! 🎉', message: 'You and 3 friends completed “Bike fund”', icon_type: 'celebration', related_goal_id: goal.id },
    ]);
    expect(await ofType(oto, 'goal_completed')).toHaveLength(1);
    expect(await ofType(oto, 'goal_contribution')).toHaveLength(1);
    expect(await ofType(creator, 'goal_completed')).toEqual([]);
    expect(await ofType(nia, 'goal_completed')).toEqual([]);
  });

  it('goal.reminder_due notifies its user (goal_reminders off: nothing); achievement.earned notifies the earner', async () => {
    const [me, quiet] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const goal = await createGoal(t, me, { title: 'Read daily' });
    const at = clock.now().toISOString();
    await setPreferences(t.ctx, quiet, { goalReminders: false });
    for (const u of [me, quiet]) {
      await t.ctx.bus.publish(t.ctx.database.db, 'goal.reminder_due', { reminderId: '00000000-0000-4000-8000-0000000000aa', goalId: goal.id, goalTitle: 'Read daily', userId: u.id, occurrence: '2026-05-04T08:00', timezone: 'UTC', at });
    }
    expect(await ofType(me, 'goal_reminder')).toMatchObject([{ message: 'Time to work on “Read daily”', related_goal_id: goal.id, action_url: `/goals/${goal.id}`, related_user_id: null }]);
    expect(await ofType(quiet, 'goal_reminder')).toEqual([]);

    await t.ctx.bus.publish(t.ctx.database.db, 'achievement.earned', { userId: quiet.id, achievementId: '00000000-0000-4000-8000-0000000000bb', code: 'x', name: 'Early Bird', points: 25, earnedAt: at });
    expect(await ofType(quiet, 'achievement')).toMatchObject([{ title: 'Achievement Unlocked! 🏆', message: 'You earned “Early Bird” (+25 points)', action_url: '/achievements' }]);
    await setPreferences(t.ctx, me, { achievements: false });
    const before = (await ofType(me, 'achievement')).length;
    await t.ctx.bus.publish(t.ctx.database.db, 'achievement.earned', { userId: me.id, achievementId: '00000000-0000-4000-8000-0000000000bb', code: 'x', name: 'Early Bird', points: 25, earnedAt: at });
    expect(await ofType(me, 'achievement')).toHaveLength(before);
  });
});

describe('partner check-ins (scheduled job)', () => {
  const startedAt = (a: TestUser, b: TestUser, at: Date) =>
    t.ctx.database.db.execute(sql`update accountability_partners set started_at = ${at.toISOString()}::timestamptz, check_in_frequency = 'daily'
      where (user_id = ${a.id} and partner_id = ${b.id}) or (user_id = ${b.id} and partner_id = ${a.id})`);

  it('both partners get one check-in per period; a rerun in the same period adds nothing; the next period adds one more', async () => {
    const [ann, ben] = [await makeUser(t.ctx, { fullName: 'Ann' }), await makeUser(t.ctx, { fullName: 'Ben' })];
    await makeFriends(t.ctx, ann, ben);
    await makePartners(t.ctx, ann, ben);
    await startedAt(ann, ben, new Date(clock.now().getTime() - 25 * 3600_000));
    await t.ctx.jobs.runCronNow('partner-checkins');
    const [annCheck] = await ofType(ann, 'partner_checkin');
    expect(annCheck).toMatchObject({ title: 'Time to check in', message: 'Check in with Ben on your goals (daily check-in)', related_user_id: ben.id, icon_type: 'schedule' });
    expect(annCheck?.action_url).toMatch(/^\/partners\/[0-9a-f-]{36}$/);
    expect(await ofType(ben, 'partner_checkin')).toMatchObject([{ message: 'Check in with Ann on your goals (daily check-in)' }]);

    await t.ctx.jobs.runCronNow('partner-checkins');
    expect(await ofType(ann, 'partner_checkin')).toHaveLength(1);
    clock.advance(24 * 3600_000);
    await Promise.all([t.ctx.jobs.runCronNow('partner-checkins'), t.ctx.jobs.runCronNow('partner-checkins')]);
    expect(await ofType(ann, 'partner_checkin')).toHaveLength(2);
    expect(await ofType(ben, 'partner_checkin')).toHaveLength(2);
  });

  it('nothing before the first period ends, for paused partnerships, with goal_reminders off, or across a block', async () => {
    const [a, b, c, d, e, f] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => makeUser(t.ctx)));
    const [ua, ub, uc, ud, ue, uf] = [a, b, c, d, e, f] as TestUser[] as [TestUser, TestUser, TestUser, TestUser, TestUser, TestUser];
    await makePartners(t.ctx, ua, ub);
    await startedAt(ua, ub, new Date(clock.now().getTime() - 23 * 3600_000));
    await makePartners(t.ctx, uc, ud, 'paused');
    await startedAt(uc, ud, new Date(clock.now().getTime() - 50 * 3600_000));
    await makePartners(t.ctx, ue, uf);
    await startedAt(ue, uf, new Date(clock.now().getTime() - 50 * 3600_000));
    await setPreferences(t.ctx, ue, { goalReminders: false });
    await t.ctx.jobs.runCronNow('partner-checkins');
    for (const u of [ua, ub, uc, ud, ue]) expect(await ofType(u, 'partner_checkin')).toEqual([]);
    expect(await ofType(uf, 'partner_checkin')).toHaveLength(1);
    await makeBlock(t.ctx, ua, ub);
    clock.advance(2 * 3600_000);
    await t.ctx.jobs.runCronNow('partner-checkins');
    expect(await ofType(ua, 'partner_checkin')).toEqual([]);
    expect(await ofType(ub, 'partner_checkin')).toEqual([]);
  });
});
