import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CronSchedule,
  cronExpressionProblem,
  isKnownTimeZone,
} from '../../src/core/deployments/cron-schedule.js';

const iso = (instants: number[]) => instants.map((ms) => new Date(ms).toISOString());

describe('cron schedules (literal wall-clock matching)', () => {
  it('accepts 5-field POSIX expressions only', () => {
    for (const ok of ['* * * * *', '0 9 * * 1-5', '*/15 0-6,22 1,15 * 0', '0 0 * * 7', '0 9 * JAN MON-FRI'])
      assert.equal(cronExpressionProblem(ok), undefined, ok);
    for (const bad of [
      '* * * *',
      '* * * * * *',
      '@daily',
      '61 * * * *',
      '0 0 L * *',
      '0 0 1W * *',
      '0 0 * * 1#2',
      '0 0 ? * *',
      'a b c d e',
    ])
      assert.ok(cronExpressionProblem(bad), bad);
  });

  it('knows IANA zones', () => {
    assert.ok(isKnownTimeZone('America/New_York'));
    assert.ok(isKnownTimeZone('UTC'));
    assert.ok(!isKnownTimeZone('Mars/Olympus'));
    assert.ok(!isKnownTimeZone(''));
  });

  it('skips a wall-clock time a spring-forward day lacks', () => {
    const schedule = new CronSchedule('30 2 * * *', 'America/New_York');
    assert.deepEqual(iso(schedule.next(Date.UTC(2026, 2, 7, 12), 2)), [
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('fires twice at a wall-clock time a fall-back day repeats', () => {
    const schedule = new CronSchedule('30 1 * * *', 'America/New_York');
    assert.deepEqual(iso(schedule.next(Date.UTC(2026, 9, 31, 12), 3)), [
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    // Every half hour stays every real half hour through the repeated hour.
    const halfHourly = new CronSchedule('*/30 * * * *', 'America/New_York');
    const runs = halfHourly.next(Date.UTC(2026, 10, 1, 4, 50), 6);
    assert.deepEqual(
      runs.slice(1).map((at, index) => at - (runs[index] as number)),
      [1, 1, 1, 1, 1].map(() => 30 * 60_000),
    );
  });

  it('keeps POSIX day semantics and ends on impossible dates', () => {
    // Both day fields restricted: either matches (the 1st, or any Monday).
    assert.deepEqual(iso(new CronSchedule('0 0 1 * 1', 'UTC').next(Date.UTC(2026, 0, 1), 5)), [
      '2026-01-05T00:00:00.000Z',
      '2026-01-12T00:00:00.000Z',
      '2026-01-19T00:00:00.000Z',
      '2026-01-26T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
    assert.deepEqual(new CronSchedule('0 0 30 2 *', 'UTC').next(Date.UTC(2026, 0, 1), 3), []);
  });

  it('finds the latest tick in a window', () => {
    const schedule = new CronSchedule('* * * * *', 'UTC');
    const latest = schedule.latestIn(Date.UTC(2026, 0, 1, 0, 0, 30), Date.UTC(2026, 0, 1, 0, 5, 10));
    assert.equal(latest, Date.UTC(2026, 0, 1, 0, 5));
    assert.equal(
      schedule.latestIn(Date.UTC(2026, 0, 1, 0, 0, 10), Date.UTC(2026, 0, 1, 0, 0, 50)),
      undefined,
    );
  });
});
