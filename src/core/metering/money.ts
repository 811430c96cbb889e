import { invalidRequest } from '../errors.js';

/**
 * Money is a bigint count of femto-dollars (1e-15 USD). Token prices are
 * quoted per million tokens with up to nine decimals, so every token charge
 * (and every derived cache rate: 0.1×, 1.25×, 2×) is an exact integer here;
 * only runtime, priced per hour but measured per millisecond, rounds, at
 * 1e-15 USD. No float ever touches an amount.
 */
export type Money = bigint;

export const FEMTOS_PER_USD = 10n ** 15n;
const FEMTOS_PER_CENT = 10n ** 13n;

/** A non-negative decimal string (or number) as an integer count of 1/`scale` units; never rounds. */
function parseDecimal(value: string | number, scale: bigint, what: string): Money {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw invalidRequest(`${what}: expected a non-negative decimal, got ${JSON.stringify(value)}`);
  const whole = BigInt(match[1] ?? '0');
  const fraction = match[2] ?? '';
  const digits = scale.toString().length - 1;
  if (fraction.replace(/0+$/, '').length > digits)
    throw invalidRequest(`${what}: at most ${digits} decimal places, got ${JSON.stringify(value)}`);
  const padded = BigInt((fraction + '0'.repeat(digits)).slice(0, digits) || '0');
  return whole * scale + padded;
}

function numberText(value: number): string {
  if (!Number.isFinite(value) || value < 0) return String(value);
  // Avoid exponent notation for tiny prices such as 1e-7.
  return value.toFixed(12).replace(/\.?0+$/, '');
}

/** A dollar amount such as "0.08" or 25. */
export const usd = (value: string | number, what = 'amount'): Money =>
  parseDecimal(value, FEMTOS_PER_USD, what);

/** A `BetaMonetaryAmount.amount`: minor units (cents), e.g. "2500" is $25.00. */
export const cents = (value: string, what = 'amount'): Money =>
  // Hundredths of a cent at most (the request schema admits a decimal amount).
  parseDecimal(value, 100n, what) * (FEMTOS_PER_CENT / 100n);

/**
 * The wire's `{amount, currency}`: whole cents, rounded down. Rounding down
 * keeps it consistent with budgets, which are whole cents too: the shown
 * amount reaches the budget exactly when the exact spend does.
 */
export function monetaryAmount(money: Money): { amount: string; currency: 'USD' } {
  return { amount: (money / FEMTOS_PER_CENT).toString(), currency: 'USD' };
}

/** Exact decimal dollars without trailing zeros: 705000000000000n → "0.705". */
export function formatUsd(money: Money): string {
  const negative = money < 0n;
  const abs = negative ? -money : money;
  const whole = abs / FEMTOS_PER_USD;
  const fraction = (abs % FEMTOS_PER_USD).toString().padStart(15, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Rounds a rational amount half up to the nearest femto-dollar (runtime seconds only). */
export function divideRounded(numerator: bigint, denominator: bigint): Money {
  return (numerator * 2n + denominator) / (denominator * 2n);
}
