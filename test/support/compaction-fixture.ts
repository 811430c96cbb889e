import {
  createSession,
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from './harness-fixture.js';

/**
 * What the compaction tests share: a server whose context window is tiny (1,500 tokens), so one
 * long turn fills it, and a session whose first turn has just done so.
 */
export function startTinyWindowFixture(): Promise<HarnessFixture> {
  return startHarnessFixture('sqlite', [], { contextWindowTokens: 1500 });
}

/**
 * A new session whose first turn ('first request', answered with 2,500 characters) has run to
 * idle; the next turn starts near the window. The event reader stays open for the test.
 */
export async function sessionWithFullWindow(fixture: HarnessFixture) {
  const { client, model } = fixture;
  const { session } = await createSession(client);
  const stream = await openEventReader(client, session.id);
  const long = 'x'.repeat(2500);
  model.push([{ match: 'first', content: [{ type: 'text', text: `Noted. ${long}` }] }]);
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: 'user.message', content: [{ type: 'text', text: 'first request' }] }],
  });
  await stream.until(isIdle);
  return { session, stream };
}
