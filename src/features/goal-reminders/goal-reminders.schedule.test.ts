import { describe, expect, it } from 'vitest';
import {
  canonicalTimezone,
  formatLocal,
  nextOccurrence,
  parseLocalTime,
  resolveLocalTime,
  type ReminderRule,
} from './goal-reminders.schedule.js';

const daily = (time: string, timezone: string): ReminderRule => ({ type: 'daily', time, days: null, timezone });
const on = (days: number[], time: string, timezone: string, type: 'weekly' | 'custom' = 'custom'): ReminderRule => ({
  type,
  time,
  days,
  timezone,
});

/** The next `n` occurrences after `from`, as [UTC ISO, local] pairs. */
function series(from: string, rule: ReminderRule, n: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let after = new Date(from);
  for (let i = 0; i < n; i++) {
    const o = nextOccurrence(after, rule);
    out.push([o.at.toISOString(), o.local]);
    after = o.at;
  }
  return out;
}

describe('nextOccurrence: daily', () => {
  it('in UTC, later the same day, else tomorrow', () => {
    expect(series('2026-01-15T07:00:00Z', daily('08:00', 'UTC'), 2)).toEqual([
      ['2026-01-15T08:00:00.000Z', '2026-01-15T08:00'],
      ['2026-01-16T08:00:00.000Z', '2026-01-16T08:00'],
    ]);
  });

  it('is strictly after: exactly at an occurrence gives the next one; a millisecond before gives this one', () => {
    const rule = daily('08:00', 'Europe/Berlin'); // 07:00Z in winter
    expect(nextOccurrence(new Date('2026-01-15T07:00:00.000Z'), rule).at.toISOString()).toBe('2026-01-16T07:00:00.000Z');
    expect(nextOccurrence(new Date('2026-01-15T06:59:59.999Z'), rule).at.toISOString()).toBe('2026-01-15T07:00:00.000Z');
  });

  it('uses the local date, not the UTC date (Pacific/Auckland is a day ahead)', () => {
    // 2026-01-15T20:00Z is 2026-01-16 09:00 in Auckland (NZDT, +13).
    expect(nextOccurrence(new Date('2026-01-15T20:00:00Z'), daily('08:30', 'Pacific/Auckland'))).toEqual({
      at: new Date('2026-01-16T19:30:00Z'),
      local: '2026-01-17T08:30',
    });
  });

  it('in a zone without DST (Africa/Nairobi, +03:00) fires at the same UTC time all year', () => {
    for (const from of ['2026-03-27T00:00:00Z', '2026-10-24T00:00:00Z', '2026-06-30T00:00:00Z']) {
      const o = nextOccurrence(new Date(from), daily('07:15', 'Africa/Nairobi'));
      expect(o.at.toISOString().slice(11)).toBe('04:15:00.000Z');
      expect(o.local.slice(11)).toBe('07:15');
    }
  });

  it('midnight and 23:59 are valid times', () => {
    expect(nextOccurrence(new Date('2026-01-15T12:00:00Z'), daily('00:00', 'UTC')).local).toBe('2026-01-16T00:00');
    expect(nextOccurrence(new Date('2026-01-15T12:00:00Z'), daily('23:59', 'UTC')).local).toBe('2026-01-15T23:59');
  });
});

describe('nextOccurrence: weekly and custom days', () => {
  it('fires only on the listed weekdays (2026-01-15 is a Thursday)', () => {
    expect(series('2026-01-15T12:00:00Z', on([1, 3, 5], '18:00', 'UTC'), 4).map(([, local]) => local)).toEqual([
      '2026-01-16T18:00', // Fri
      '2026-01-19T18:00', // Mon
      '2026-01-21T18:00', // Wed
      '2026-01-23T18:00', // Fri
    ]);
  });

  it('a single day a week repeats seven days later', () => {
    expect(series('2026-01-15T12:00:00Z', on([0], '09:00', 'UTC', 'weekly'), 2).map(([, local]) => local)).toEqual([
      '2026-01-18T09:00',
      '2026-01-25T09:00',
    ]);
  });

  it('today counts when the time is still ahead; a week later when it just passed', () => {
    // Thursday = 4.
    expect(nextOccurrence(new Date('2026-01-15T12:00:00Z'), on([4], '13:00', 'UTC')).local).toBe('2026-01-15T13:00');
    expect(nextOccurrence(new Date('2026-01-15T13:00:00Z'), on([4], '13:00', 'UTC')).local).toBe('2026-01-22T13:00');
  });

  it('weekdays are evaluated in the reminder’s zone: Monday 07:00 in Tokyo is Sunday 22:00 UTC', () => {
    const o = nextOccurrence(new Date('2026-01-15T12:00:00Z'), on([1], '07:00', 'Asia/Tokyo'));
    expect(o).toEqual({ at: new Date('2026-01-18T22:00:00Z'), local: '2026-01-19T07:00' });
  });

  it('weekdays in a zone behind UTC: Friday 20:00 in Los Angeles is Saturday 04:00 UTC', () => {
    const o = nextOccurrence(new Date('2026-01-15T12:00:00Z'), on([5], '20:00', 'America/Los_Angeles'));
    expect(o).toEqual({ at: new Date('2026-01-17T04:00:00Z'), local: '2026-01-16T20:00' });
  });
});

describe('nextOccurrence across daylight-saving changes', () => {
  it('America/New_York, March 8 2026: 08:00 is 13:00Z before and 12:00Z after', () => {
    expect(series('2026-03-06T12:00:00Z', daily('08:00', 'America/New_York'), 4)).toEqual([
      ['2026-03-06T13:00:00.000Z', '2026-03-06T08:00'],
      ['2026-03-07T13:00:00.000Z', '2026-03-07T08:00'],
      ['2026-03-08T12:00:00.000Z', '2026-03-08T08:00'],
      ['2026-03-09T12:00:00.000Z', '2026-03-09T08:00'],
    ]);
  });

  it('America/New_York spring-forward gap: 02:30 on March 8 does not exist and fires at 03:00 EDT', () => {
    expect(series('2026-03-07T12:00:00Z', daily('02:30', 'America/New_York'), 3)).toEqual([
      ['2026-03-08T07:00:00.000Z', '2026-03-08T03:00'],
      ['2026-03-09T06:30:00.000Z', '2026-03-09T02:30'],
      ['2026-03-10T06:30:00.000Z', '2026-03-10T02:30'],
    ]);
  });

  it('America/New_York fall-back overlap: 01:30 on November 1 happens twice and fires once (EDT)', () => {
    expect(series('2026-10-31T12:00:00Z', daily('01:30', 'America/New_York'), 3)).toEqual([
      ['2026-11-01T05:30:00.000Z', '2026-11-01T01:30'],
      ['2026-11-02T06:30:00.000Z', '2026-11-02T01:30'],
      ['2026-11-03T06:30:00.000Z', '2026-11-03T01:30'],
    ]);
    // Asked from inside the repeated hour (01:00 EST, 06:00Z), the answer is the next day, not 06:30Z.
    expect(nextOccurrence(new Date('2026-11-01T06:00:00Z'), daily('01:30', 'America/New_York')).at.toISOString()).toBe(
      '2026-11-02T06:30:00.000Z',
    );
  });

  it('Europe/Berlin spring-forward gap: 02:30 on March 29 fires at 03:00 CEST (01:00Z)', () => {
    expect(series('2026-03-28T12:00:00Z', daily('02:30', 'Europe/Berlin'), 3)).toEqual([
      ['2026-03-29T01:00:00.000Z', '2026-03-29T03:00'],
      ['2026-03-30T00:30:00.000Z', '2026-03-30T02:30'],
      ['2026-03-31T00:30:00.000Z', '2026-03-31T02:30'],
    ]);
    // The gap is [02:00, 03:00): 02:00 itself does not exist either, 03:00 is unaffected.
    expect(nextOccurrence(new Date('2026-03-28T12:00:00Z'), daily('02:00', 'Europe/Berlin')).local).toBe('2026-03-29T03:00');
    expect(nextOccurrence(new Date('2026-03-28T12:00:00Z'), daily('03:00', 'Europe/Berlin')).at.toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    expect(nextOccurrence(new Date('2026-03-28T12:00:00Z'), daily('01:59', 'Europe/Berlin')).at.toISOString()).toBe(
      '2026-03-29T00:59:00.000Z',
    );
  });

  it('Europe/Berlin fall-back overlap: 02:30 on October 25 fires once, at 02:30 CEST (00:30Z)', () => {
    expect(series('2026-10-24T12:00:00Z', daily('02:30', 'Europe/Berlin'), 3)).toEqual([
      ['2026-10-25T00:30:00.000Z', '2026-10-25T02:30'],
      ['2026-10-26T01:30:00.000Z', '2026-10-26T02:30'],
      ['2026-10-27T01:30:00.000Z', '2026-10-27T02:30'],
    ]);
  });

  it('Europe/Berlin weekly Sunday reminder inside the gap fires that Sunday at 03:00', () => {
    expect(nextOccurrence(new Date('2026-03-27T12:00:00Z'), on([0], '02:15', 'Europe/Berlin', 'weekly'))).toEqual({
      at: new Date('2026-03-29T01:00:00Z'),
      local: '2026-03-29T03:00',
    });
  });

  it('Australia/Lord_Howe (30-minute DST): the gap 02:00–02:30 and the repeated 01:30–02:00', () => {
    // October 4 2026: 02:00 +10:30 becomes 02:30 +11.
    expect(nextOccurrence(new Date('2026-10-03T12:00:00Z'), daily('02:15', 'Australia/Lord_Howe'))).toEqual({
      at: new Date('2026-10-03T15:30:00Z'),
      local: '2026-10-04T02:30',
    });
    // April 5 2026: 02:00 +11 becomes 01:30 +10:30; 01:45 happens twice, fires at the first.
    expect(series('2026-04-04T00:00:00Z', daily('01:45', 'Australia/Lord_Howe'), 2)).toEqual([
      ['2026-04-04T14:45:00.000Z', '2026-04-05T01:45'],
      ['2026-04-05T15:15:00.000Z', '2026-04-06T01:45'],
    ]);
  });

  it('a whole skipped local day (Pacific/Apia, 30 December 2011) fires at the first instant after it', () => {
    expect(resolveLocalTime(2011, 12, 30, 8, 0, 'Pacific/Apia').toISOString()).toBe('2011-12-30T10:00:00.000Z');
    expect(formatLocal(new Date('2011-12-30T10:00:00Z'), 'Pacific/Apia')).toBe('2011-12-31T00:00');
  });
});

describe('helpers', () => {
  it('parseLocalTime accepts strict 24-hour HH:MM only', () => {
    expect(parseLocalTime('08:05')).toEqual({ hour: 8, minute: 5 });
    expect(parseLocalTime('23:59')).toEqual({ hour: 23, minute: 59 });
    for (const bad of ['8:00', '24:00', '25:00', '12:60', '12:5', '12:00:00', ' 12:00', '']) {
      expect(parseLocalTime(bad), bad).toBeUndefined();
    }
  });

  it('canonicalTimezone knows IANA names in any case and refuses offsets and junk', () => {
    expect(canonicalTimezone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimezone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimezone('UTC')).toBe('UTC');
    for (const bad of ['Mars/Olympus', '+05:00', '-03:00', '5', '', 'Europe/Berlin ', '../etc/passwd']) {
      expect(canonicalTimezone(bad), bad).toBeUndefined();
    }
  });
});
