import { describe, expect, it } from 'vitest';
import { isMet, measureKey, measureOf, parseCriteria } from './achievements.criteria.js';

describe('parseCriteria', () => {
  it('understands count rules over any metric and streak rules over activity metrics', () => {
    expect(parseCriteria({ type: 'count', metric: 'goals_achieved', threshold: 5 })).toEqual({ type: 'count', metric: 'goals_achieved', threshold: 5 });
    expect(parseCriteria({ type: 'count', metric: 'amount_contributed', threshold: 99.5 })).toMatchObject({ threshold: 99.5 });
    expect(parseCriteria({ type: 'streak', metric: 'contributions', threshold: 7 })).toEqual({ type: 'streak', metric: 'contributions', threshold: 7 });
  });

  it.each([
    [null],
    ['count'],
    [[]],
    [{ type: 'count', metric: 'unknown_metric', threshold: 1 }],
    [{ type: 'sum', metric: 'contributions', threshold: 1 }],
    [{ type: 'count', metric: 'contributions', threshold: 0 }],
    [{ type: 'count', metric: 'contributions', threshold: -1 }],
    [{ type: 'count', metric: 'contributions', threshold: '5' }],
    [{ type: 'count', metric: 'contributions' }],
    [{ type: 'streak', metric: 'friends', threshold: 3 }],
    [{ type: 'streak', metric: 'contributions', threshold: 2.5 }],
  ])('refuses %j (never awarded)', (raw) => expect(parseCriteria(raw)).toBeUndefined());
});

describe('isMet / measures', () => {
  it('a count is met at the threshold, not below', () => {
    const c = parseCriteria({ type: 'count', metric: 'friends', threshold: 10 })!;
    expect(isMet(c, 9)).toBe(false);
    expect(isMet(c, 10)).toBe(true);
    expect(isMet(c, 11)).toBe(true);
  });

  it('a streak and a count over the same metric are measured separately', () => {
    const streak = parseCriteria({ type: 'streak', metric: 'contributions', threshold: 7 })!;
    const count = parseCriteria({ type: 'count', metric: 'contributions', threshold: 1 })!;
    expect(measureKey(measureOf(streak))).toBe('streak:contributions');
    expect(measureKey(measureOf(count))).toBe('contributions');
  });
});
