import { Cron } from 'croner';

/**
 * A deployment's 5-field POSIX cron schedule, matched literally against the wall clock of an
 * IANA time zone (the hosted docs' rule): a wall-clock time that does not exist on a
 * spring-forward day never fires, and one that occurs twice on a fall-back day fires twice.
 *
 * croner does the field matching, always in UTC over "wall-clock instants" (the local date and
 * time written as if it were UTC), so its own DST handling never applies; this module maps each
 * matching wall-clock time back to the zero, one or two real instants that show it.
 */

const FIELD_NAMES = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
/** Digits, lists, ranges and steps; month and weekday names as Vixie cron spells them. */
const FIELD_SYNTAX =
  /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;
const NAMES = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)$/i;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Why an expression is refused, or undefined when it is a valid 5-field POSIX expression. */
export function cronExpressionProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5)
    return `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  for (const [index, field] of fields.entries()) {
    const name = FIELD_NAMES[index];
    if (!FIELD_SYNTAX.test(field)) return `${name} field ${JSON.stringify(field)}: unsupported syntax`;
    const words = field.match(/[A-Za-z]+/g) ?? [];
    if (words.some((word) => !NAMES.test(word)))
      return `${name} field ${JSON.stringify(field)}: unknown name (L, W, # and ? are not supported)`;
  }
  try {
    new Cron(fields.join(' '), { timezone: 'UTC', paused: true });
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '');
  }
  return undefined;
}

/** True when the runtime's IANA database knows the zone (e.g. "America/New_York", "UTC"). */
export function isKnownTimeZone(timezone: string): boolean {
  if (timezone.trim() === '' || timezone !== timezone.trim()) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

export class CronSchedule {
  private readonly cron: Cron;
  private readonly format: Intl.DateTimeFormat;

  constructor(expression: string, timezone: string) {
    this.cron = new Cron(expression.trim().split(/\s+/).join(' '), {
      timezone: 'UTC',
      paused: true,
      // POSIX: when both day fields are restricted, a day matching either one fires.
      domAndDow: false,
    });
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  }

  /** The next `count` fire instants strictly after `afterMs`, in order. */
  next(afterMs: number, count: number): number[] {
    const out: number[] = [];
    // Start a little before `afterMs` in wall-clock terms: a fall-back hour's repeat of an
    // earlier wall-clock time can lie after `afterMs` in real time.
    let wall = this.wallClock(afterMs) - 2 * HOUR_MS;
    // Bounded: the first steps may all lie in that two-hour lead-in (up to 120 for a
    // minute schedule), and a schedule that matches no date (30 February) must end.
    for (let guard = 0; out.length < count && guard < count * 4 + 256; guard++) {
      const match = this.cron.nextRun(new Date(wall));
      if (!match) break;
      wall = match.getTime();
      for (const instant of this.instantsShowing(wall)) if (instant > afterMs) out.push(instant);
    }
    return [...new Set(out)].sort((a, b) => a - b).slice(0, count);
  }

  /** The latest fire instant in (fromMs, toMs], if any. */
  latestIn(fromMs: number, toMs: number): number | undefined {
    let latest: number | undefined;
    let cursor = fromMs;
    for (;;) {
      const batch = this.next(cursor, 32);
      for (const instant of batch) {
        if (instant > toMs) return latest;
        latest = instant;
      }
      const last = batch[batch.length - 1];
      if (last === undefined) return latest;
      cursor = last;
    }
  }

  /** The local wall-clock time at `instant`, written as a UTC epoch (minute precision). */
  private wallClock(instant: number): number {
    const parts = Object.fromEntries(
      this.format.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]),
    ) as Record<string, number>;
    return Date.UTC(
      parts.year ?? 0,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
    );
  }

  /** Real instants whose local wall clock reads `wall`: none in a DST gap, two in a repeated hour. */
  private instantsShowing(wall: number): number[] {
    const offsets = new Set<number>();
    // The zone's offsets a day either side cover both sides of any transition near `wall`.
    for (const probe of [wall - 24 * HOUR_MS, wall, wall + 24 * HOUR_MS])
      offsets.add(this.wallClock(probe) - Math.floor(probe / MINUTE_MS) * MINUTE_MS);
    const instants = [...offsets]
      .map((offset) => wall - offset)
      .filter((instant) => this.wallClock(instant) === wall);
    return [...new Set(instants)].sort((a, b) => a - b);
  }
}
