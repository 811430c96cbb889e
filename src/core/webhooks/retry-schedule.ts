/**
 * When a failed delivery is tried again: the delay after the n-th failed attempt (n = 1..7),
 * each stretched or shrunk by up to 20 % at random so endpoints that recover do not get every
 * retry at once. Eight attempts span about 27.5 hours; the eighth failure ends the delivery and
 * disables the endpoint (docs/webhooks.md).
 */
export const RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
] as const;

export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

export const JITTER = 0.2;

/** Milliseconds until the next attempt after `failedAttempts` failures, or undefined when none is left. */
export function retryDelay(failedAttempts: number, random: () => number = Math.random): number | undefined {
  const base = RETRY_DELAYS_MS[failedAttempts - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}
