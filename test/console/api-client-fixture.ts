import { after, before } from 'node:test';
import { ConsoleClient, type Wire } from '../../src/console/static/api.js';
import { type FollowOptions, followEvents } from '../../src/console/static/live.js';
import { type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY } from '../support/server.js';

/**
 * The console API client tests' shared parts (api-client*.test.ts): the console's client,
 * imported as the browser gets it, against a real server whose model is the scripted upstream.
 */

/** Reads stored events from a follower until one matches. */
export function eventCollector() {
  const events: Wire[] = [];
  const waiters: Array<{ test: (event: Wire) => boolean; resolve: () => void }> = [];
  return {
    events,
    push(event: Wire) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.test(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    until(test: (event: Wire) => boolean, timeoutMs = 60_000): Promise<void> {
      if (events.some(test)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out; saw ${events.map((event) => event.type).join(', ')}`)),
          timeoutMs,
        );
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

export const idleCount = (events: Wire[]) =>
  events.filter((event) => event.type === 'session.status_idle').length;

/** startHarnessFixture, with heartbeats every 50 ms so a test sees some, and a console client. */
export async function startConsoleFixture(): Promise<{ fixture: HarnessFixture; client: ConsoleClient }> {
  const fixture = await startHarnessFixture('sqlite', [], {}, { sseHeartbeatMs: 50 });
  return { fixture, client: new ConsoleClient({ apiKey: TEST_ADMIN_KEY, baseUrl: fixture.server.url }) };
}

/** For a describe block: startConsoleFixture before its tests, closed after them. */
export function consoleSuite(): { fixture: HarnessFixture; client: ConsoleClient } {
  const suite = {} as { fixture: HarnessFixture; client: ConsoleClient };
  before(async () => {
    Object.assign(suite, await startConsoleFixture());
  });
  after(async () => suite.fixture.close());
  return suite;
}

/** Follows a session into a collector; resolves once the stream is open. */
export async function follow(client: ConsoleClient, sessionId: string, options: Partial<FollowOptions> = {}) {
  const collected = eventCollector();
  let live: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    live = resolve;
  });
  const follower = followEvents(client, sessionId, {
    ...options,
    onEvent: collected.push,
    onState: (state) => {
      options.onState?.(state);
      if (state === 'live') live();
    },
  });
  await opened;
  return { collected, follower };
}
