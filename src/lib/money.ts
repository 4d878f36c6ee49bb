/**
 * Money on the wire is a JSON number with at most two decimals; in the database it is
 * NUMERIC(12,2) and all arithmetic happens there (exact). In between it travels as a decimal string.
 */

/** The largest NUMERIC(12,2) value. */
export const MONEY_MAX = 9_999_999_999.99;

/**
 * "150" / 150.5 / 0.01 → "150.00" / "150.50" / "0.01"; undefined when the number has more than two
 * decimals, is not finite, or is out of NUMERIC(12,2)'s range. Uses the shortest round-trip
 * representation, so 0.1 + 0.2 (0.30000000000000004) is refused rather than rounded.
 */
export function moneyFromNumber(value: number): string | undefined {
  if (!Number.isFinite(value) || Math.abs(value) > MONEY_MAX) return undefined;
  const text = String(value);
  if (/e/i.test(text)) return undefined;
  const [whole, fraction = ''] = text.split('.');
  if (fraction.length > 2) return undefined;
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

/** "2100.00" → 2100 (for JSON; two-decimal values are exactly what JSON clients parse back). */
export function moneyToNumber(value: string | number): number {
  return typeof value === 'number' ? value : Number(value);
}
