import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/app-error.js';
import { mayContribute, mayEditGoal, mayRemoveParticipant, mayViewGoal, type GoalAccessFacts } from './goals.policy.js';
import { daysRemaining } from './goals.reads.service.js';
import { assertCurrency, contributionAmountOf, localDate, normalizeCategory } from './goals.rules.js';
import { applyGoalPatch } from './goals.update.js';
import type { GoalRow } from './goals.tables.js';

const base: GoalAccessFacts = {
  isCreator: false,
  myRole: null,
  blockedWithCreator: false,
  partnerOfParticipant: false,
  friendOfCreator: false,
  isPublic: false,
  creatorVisibility: 'friends_only',
  creatorActive: true,
  status: 'active',
};

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : 'not an AppError';
  }
};

describe('mayViewGoal', () => {
  it.each<[string, Partial<GoalAccessFacts>, boolean]>([
    ['the creator', { isCreator: true }, true],
    ['the creator, even with a block recorded', { isCreator: true, blockedWithCreator: true }, true],
    ['an active participant', { myRole: 'member' }, true],
    ['a partner of a participant', { partnerOfParticipant: true }, true],
    ['a friend, private goal', { friendOfCreator: true }, false],
    ['a friend, public goal', { friendOfCreator: true, isPublic: true }, true],
    ['a stranger, public goal, friends_only profile', { isPublic: true }, false],
    ['a stranger, public goal, private profile', { isPublic: true, creatorVisibility: 'private' }, false],
    ['a friend, public goal, private profile', { isPublic: true, creatorVisibility: 'private', friendOfCreator: true }, true],
    ['a stranger, public goal, everyone profile', { isPublic: true, creatorVisibility: 'everyone' }, true],
    ['a stranger, private goal, everyone profile', { creatorVisibility: 'everyone' }, false],
    ['blocked with the creator, public everyone goal', { isPublic: true, creatorVisibility: 'everyone', blockedWithCreator: true }, false],
    ['a stranger, public everyone goal, creator deactivated', { isPublic: true, creatorVisibility: 'everyone', creatorActive: false }, false],
    ['a friend, public goal, creator deactivated', { isPublic: true, friendOfCreator: true, creatorActive: false }, false],
    ['a participant, creator deactivated', { myRole: 'member', creatorActive: false }, true],
    ['a partner of a participant, creator deactivated', { partnerOfParticipant: true, creatorActive: false }, true],
    ['issue 15.9: blocked with the creator, participant (keeps the shared goal)', { myRole: 'member', blockedWithCreator: true }, true],
    ['blocked with the creator, partner', { partnerOfParticipant: true, blockedWithCreator: true }, false],
  ])('%s → %s', (_name, facts, expected) => {
    expect(mayViewGoal({ ...base, ...facts })).toBe(expected);
  });
});

describe('mayEditGoal / mayContribute / mayRemoveParticipant', () => {
  it('only the creator edits', () => {
    expect(mayEditGoal({ ...base, isCreator: true, myRole: 'creator' })).toBe(true);
    expect(mayEditGoal({ ...base, myRole: 'member' })).toBe(false);
  });

  it('active participants of active goals contribute', () => {
    expect(mayContribute({ ...base, myRole: 'supporter' })).toBe('allowed');
    expect(mayContribute({ ...base, myRole: 'creator', status: 'paused' })).toBe('goal_not_active');
    expect(mayContribute({ ...base, myRole: 'member', status: 'completed' })).toBe('goal_not_active');
    const friendOfPublicGoal: GoalAccessFacts = { ...base, friendOfCreator: true, isPublic: true };
    expect(mayContribute(friendOfPublicGoal)).toBe('not_a_participant');
  });

  it('the creator removes others but cannot leave; a participant only leaves', () => {
    const creator = { ...base, isCreator: true, myRole: 'creator' as const };
    const member = { ...base, myRole: 'member' as const };
    expect(mayRemoveParticipant(creator, 'c', 'c', 'm')).toBe('allowed');
    expect(mayRemoveParticipant(creator, 'c', 'c', 'c')).toBe('creator_cannot_leave');
    expect(mayRemoveParticipant(member, 'm', 'c', 'm')).toBe('allowed');
    expect(mayRemoveParticipant(member, 'm', 'c', 'x')).toBe('not_goal_creator');
    expect(mayRemoveParticipant(member, 'm', 'c', 'c')).toBe('not_goal_creator');
  });
});

describe('contributionAmountOf', () => {
  it.each<[string, number | undefined, string]>([
    ['monetary', 150, '150.00'],
    ['monetary', 0.01, '0.01'],
    ['monetary', 1_000_000, '1000000.00'],
    ['checkin', undefined, '0.00'],
    ['checkin', 0, '0.00'],
    ['milestone', 2.5, '2.50'],
  ])('%s %s → %s', (type, amount, expected) => {
    expect(contributionAmountOf(type as 'monetary', amount)).toBe(expected);
  });

  it.each<[string, number | undefined]>([
    ['monetary', undefined],
    ['monetary', 0],
    ['monetary', -0.01],
    ['monetary', 0.001],
    ['monetary', 0.1 + 0.2],
    ['monetary', 1_000_000.01],
    ['monetary', Number.NaN],
    ['monetary', Number.POSITIVE_INFINITY],
    ['checkin', -1],
    ['checkin', 0.005],
  ])('%s %s → invalid_amount', (type, amount) => {
    expect(codeOf(() => contributionAmountOf(type as 'monetary', amount))).toBe('invalid_amount');
  });
});

describe('input rules', () => {
  it('categories become lower-case slugs', () => {
    expect(normalizeCategory('  Home Improvement ')).toBe('home-improvement');
    expect(normalizeCategory('   ')).toBeNull();
    expect(codeOf(() => normalizeCategory('a/b'))).toBe('invalid_category');
  });

  it('currencies must be ISO 4217 codes Intl knows', () => {
    expect(assertCurrency('KES')).toBe('KES');
    expect(codeOf(() => assertCurrency('ZZZ'))).toBe('invalid_currency');
    expect(codeOf(() => assertCurrency('usd'))).toBe('invalid_currency');
  });

  it('local dates and days remaining follow the time zone, and never go negative', () => {
    const now = new Date('2026-03-10T23:30:00Z');
    expect(localDate(now, 'UTC')).toBe('2026-03-10');
    expect(localDate(now, 'Africa/Nairobi')).toBe('2026-03-11');
    expect(localDate(now, 'America/Los_Angeles')).toBe('2026-03-10');
    expect(daysRemaining('2026-03-20', '2026-03-10')).toBe(10);
    // Across the US daylight-saving change (2026-03-08) whole days still count as days.
    expect(daysRemaining('2026-03-09', '2026-03-07')).toBe(2);
    expect(daysRemaining('2026-03-01', '2026-03-10')).toBe(0);
    expect(daysRemaining(null, '2026-03-10')).toBeNull();
  });
});

describe('applyGoalPatch', () => {
  const goal = {
    status: 'active',
    targetType: 'amount',
    targetAmount: '100.00',
    targetDate: '2026-01-01',
  } as GoalRow;

  it('keeps a passed target_date that is not changed, but refuses a new one in the past', () => {
    expect(applyGoalPatch(goal, { targetAmount: 50 }, '2026-03-10').changes).toMatchObject({ targetAmount: '50.00', targetDate: '2026-01-01' });
    expect(codeOf(() => applyGoalPatch(goal, { targetDate: '2026-03-09' }, '2026-03-10'))).toBe('target_date_in_past');
  });

  it('a completed goal’s target and status are final', () => {
    const done = { ...goal, status: 'completed' } as GoalRow;
    expect(codeOf(() => applyGoalPatch(done, { status: 'active' }, '2026-03-10'))).toBe('goal_already_completed');
    expect(codeOf(() => applyGoalPatch(done, { targetAmount: 10 }, '2026-03-10'))).toBe('goal_already_completed');
    expect(applyGoalPatch(done, { title: 'Done!' }, '2026-03-10').changed).toEqual(['title']);
  });
});
