import { describe, expect, it } from 'vitest';
import { moneyFromNumber, moneyToNumber } from './money.js';

describe('moneyFromNumber', () => {
  it.each([
    [150, '150.00'],
    [150.5, '150.50'],
    [0.01, '0.01'],
    [1_000_000, '1000000.00'],
    [-3.2, '-3.20'],
  ])('%s → %s', (input, expected) => expect(moneyFromNumber(input)).toBe(expected));

  it.each([[0.001], [1.005], [0.1 + 0.2], [Number.NaN], [Infinity], [1e21], [1e-7], [10_000_000_000]])('refuses %s', (input) =>
    expect(moneyFromNumber(input)).toBeUndefined(),
  );

  it('round-trips through the database representation', () => {
    expect(moneyToNumber('2100.00')).toBe(2100);
    expect(moneyToNumber('0.30')).toBe(0.3);
  });
});
