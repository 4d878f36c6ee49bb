import { moneyFromNumber } from '../../lib/money.js';
import { invalidField } from '../../lib/app-error.js';
import { invalidAmount } from './goals.errors.js';
import type { ContributionType, TargetType } from './goals.vocabulary.js';

/** Pure input rules of the goals feature: normalisation and validation of what clients send. */

export const TITLE_MAX = 255;
export const DESCRIPTION_MAX = 5000;
export const CATEGORY_MAX = 50;
export const NOTE_MAX = 1000;
/** Largest single contribution (issue 5). */
export const MAX_CONTRIBUTION = 1_000_000;
export const MAX_PARTICIPANTS_ON_CREATE = 50;

const SUPPORTED_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const CATEGORY_SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

export function normalizeTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length === 0) throw invalidField('invalid_title', 'title', 'must not be blank');
  return trimmed;
}

/** Blank descriptions are stored as null. */
export function normalizeDescription(description: string | null): string | null {
  return description === null ? null : description.trim() || null;
}

/** The stored form of a category: trimmed, lower-case, spaces as "-" (also used for list filters). */
export function categoryKey(category: string): string {
  return category.trim().toLowerCase().replace(/\s+/g, '-');
}

/** "Home Improvement" → "home-improvement"; blank → null; anything else but a slug → 422. */
export function normalizeCategory(category: string | null): string | null {
  if (category === null) return null;
  const slug = categoryKey(category);
  if (slug.length === 0) return null;
  if (slug.length > CATEGORY_MAX || !CATEGORY_SLUG.test(slug)) {
    throw invalidField('invalid_category', 'category', 'must be a slug of letters, digits, "-" or "_" (at most 50)');
  }
  return slug;
}

/** An ISO 4217 code this runtime knows (Intl's list), in upper case as sent. */
export function assertCurrency(code: string): string {
  if (!/^[A-Z]{3}$/.test(code) || !SUPPORTED_CURRENCIES.has(code)) {
    throw invalidField('invalid_currency', 'target_currency', 'must be an ISO 4217 currency code such as USD');
  }
  return code;
}

/** A target amount as an exact decimal string: > 0, at most two decimals, within NUMERIC(12,2). */
export function targetAmountOf(value: number): string {
  const money = moneyFromNumber(value);
  if (money === undefined || value <= 0) {
    throw invalidField('invalid_target_amount', 'target_amount', 'must be > 0 with at most two decimals and at most 9999999999.99');
  }
  return money;
}

/**
 * A contribution's amount as an exact decimal string. Monetary contributions need 0 < amount ≤
 * 1,000,000; check-ins and milestone reports may carry no money (amount omitted or 0), but never a
 * negative or over-precise one.
 */
export function contributionAmountOf(type: ContributionType, value: number | undefined): string {
  if (value === undefined) {
    if (type === 'monetary') throw invalidAmount('is required for monetary contributions');
    return '0.00';
  }
  const money = moneyFromNumber(value);
  if (money === undefined) throw invalidAmount('must be a number with at most two decimals');
  if (value > MAX_CONTRIBUTION) throw invalidAmount(`must be at most ${MAX_CONTRIBUTION}`);
  if (type === 'monetary' ? value <= 0 : value < 0) {
    throw invalidAmount(type === 'monetary' ? 'must be greater than 0' : 'must not be negative');
  }
  return money;
}

/** The calendar date (YYYY-MM-DD) at `now` in an IANA time zone. */
export function localDate(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export function assertNotPast(targetDate: string, today: string): void {
  if (targetDate < today) throw invalidField('target_date_in_past', 'target_date', `must be today (${today}) or later`);
}

export interface TargetSettings {
  targetType: TargetType;
  targetAmount: string | null;
  targetDate: string | null;
}

/** amount goals need target_amount (and only they have one); date goals need target_date. */
export function assertTargetConsistent(t: TargetSettings): void {
  if (t.targetType === 'amount' && t.targetAmount === null) {
    throw invalidField('invalid_target', 'target_amount', 'is required when target_type is amount');
  }
  if (t.targetType !== 'amount' && t.targetAmount !== null) {
    throw invalidField('invalid_target', 'target_amount', 'is only for target_type amount');
  }
  if (t.targetType === 'date' && t.targetDate === null) {
    throw invalidField('invalid_target', 'target_date', 'is required when target_type is date');
  }
}
