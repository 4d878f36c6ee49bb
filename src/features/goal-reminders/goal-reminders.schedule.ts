/**
 * Pure schedule math for goal reminders: when does a rule fire next, as a UTC instant, given its
 * LOCAL wall-clock time, weekdays and IANA time zone. Zone offsets come from Intl (ICU's tz data,
 * which ships with Node), so there is no dependency and no hand-kept DST table.
 *
 * Daylight-saving rules (documented contract, tested in goal-reminders.schedule.test.ts):
 * - a local time that does not exist (spring-forward gap, e.g. 02:30 in Europe/Berlin on the last
 *   Sunday of March) fires at the first valid instant after the gap, i.e. the transition itself
 *   (03:00 local);
 * - a local time that occurs twice (fall-back overlap) fires once, at its FIRST occurrence (the
 *   earlier UTC instant, still on summer time);
 * - weekdays are those of the local date in the rule's zone, not of the UTC date.
 */

import type { ReminderType } from './goal-reminders.vocabulary.js';

export interface ReminderRule {
  type: ReminderType;
  /** Local wall-clock time, "HH:MM" (24 h). */
  time: string;
  /** Weekdays 0–6 (0 = Sunday) for weekly/custom; ignored for daily. */
  days: readonly number[] | null;
  /** IANA time zone name. */
  timezone: string;
}

export interface Occurrence {
  /** The UTC instant the reminder fires. */
  at: Date;
  /** The local wall-clock time of `at` in the rule's zone, "YYYY-MM-DDTHH:MM". */
  local: string;
}

const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(instantMs: number, timezone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const part of formatterFor(timezone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return {
    year: out.year!,
    month: out.month!,
    day: out.day!,
    hour: out.hour! % 24,
    minute: out.minute!,
    second: out.second!,
  };
}

/** The zone's UTC offset in ms at an instant (local wall clock minus UTC). */
function offsetAt(instantMs: number, timezone: string): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  const p = localParts(whole, timezone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

/**
 * The instant at which a local wall-clock time happens in a zone: the earlier one in an overlap,
 * the end of the gap (the transition instant) when it does not exist. Assumes at most one offset
 * change within a day on either side, which holds for every zone in the tz database.
 */
export function resolveLocalTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timezone: string,
): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = offsetAt(wall - DAY, timezone);
  const after = offsetAt(wall + DAY, timezone);
  const valid = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => wall - offsetAt(instant, timezone) === instant);
  if (valid.length > 0) return new Date(Math.min(...valid));
  if (after <= before) return new Date(wall - before); // not a gap; cannot happen with real tz data
  // A gap: the transition instant T lies in (wall - after, wall - before]; find it to the second.
  // Offsets and `wall` are whole seconds, so the search runs on whole seconds.
  let lo = (wall - after) / 1000; // still on the old offset
  let hi = (wall - before) / 1000; // already on the new offset
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid * 1000, timezone) === before) lo = mid;
    else hi = mid;
  }
  return new Date(hi * 1000);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "YYYY-MM-DDTHH:MM": the local wall-clock time of an instant in a zone. */
export function formatLocal(at: Date, timezone: string): string {
  const p = localParts(at.getTime(), timezone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** Parses strict "HH:MM" (24 h); undefined when malformed. */
export function parseLocalTime(time: string): { hour: number; minute: number } | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) return undefined;
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/**
 * The canonical name of an IANA zone ("europe/berlin" → "Europe/Berlin"), or undefined when Intl
 * does not know it. Raw UTC offsets ("+05:00", accepted by newer Intl) are refused: they have no
 * daylight-saving rules, so a reminder in one would drift by an hour twice a year.
 */
export function canonicalTimezone(timezone: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timezone) || timezone.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * The first occurrence of `rule` strictly after `after`. Candidates are walked by LOCAL date (from
 * the day before `after`'s local date, to be safe around gaps), so a time repeated by a fall-back
 * transition fires once per local date, never twice.
 */
export function nextOccurrence(after: Date, rule: ReminderRule): Occurrence {
  const time = parseLocalTime(rule.time.slice(0, 5));
  if (!time) throw new Error(`invalid reminder time ${rule.time}`);
  const days = rule.type === 'daily' ? null : new Set(rule.days ?? []);
  if (days && days.size === 0) throw new Error('a weekly or custom reminder needs at least one day');
  const start = localParts(after.getTime(), rule.timezone);
  const startDate = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = -1; i <= 15; i++) {
    const date = new Date(startDate + i * DAY);
    if (days && !days.has(date.getUTCDay())) continue;
    const at = resolveLocalTime(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      time.hour,
      time.minute,
      rule.timezone,
    );
    if (at.getTime() > after.getTime()) return { at, local: formatLocal(at, rule.timezone) };
  }
  throw new Error('no reminder occurrence within two weeks'); // unreachable with at least one day
}
