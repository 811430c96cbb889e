export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** RFC 3339, UTC, with milliseconds: the one timestamp format on the wire and in the store. */
export const toTimestamp = (ms: number): string => new Date(ms).toISOString();
