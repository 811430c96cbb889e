import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import type { DraftEvent, SessionEvent } from '../../src/core/events/session-event.js';
import type { LogEntry } from '../../src/core/harness/session-state.js';
import { awaitThreadReply, threadReply } from '../../src/core/harness/spawn-thread.js';
import type { ChildThread, ThreadDirectory } from '../../src/core/harness/thread-directory.js';
import type { HarnessLog } from '../../src/core/ports/harness-log.js';

/**
 * awaitThreadReply (and threadReply, which it polls) over an in-memory log: what a workflow run
 * gets back from a thread it spawned. The waits here are the function's own; the test appends the
 * thread's events while it waits and checks what it returns.
 */
const SESSION = 'sesn_reply';
const THREAD: ChildThread = {
  id: 'sthr_child',
  sessionId: SESSION,
  agentName: 'Scout',
  agent: { type: 'inline', name: 'Scout', system: 'You scout.', model: { id: 'claude-sonnet-4-6' } } as never,
  status: 'running',
  workflowRunId: null,
};
// Reading a thread's reply never writes the directory (only a thread's own appends do).
const NO_DIRECTORY = {} as ThreadDirectory;

function memoryLog() {
  const entries: LogEntry[] = [];
  const log: HarnessLog = {
    read: async () => [...entries],
    async append(_sessionId: string, drafts: readonly DraftEvent[]) {
      return drafts.map((draft) => {
        const seq = entries.length + 1;
        const event = {
          ...draft,
          id: `sevt_${seq}`,
          processed_at: new Date(seq * 1000).toISOString(),
        } as SessionEvent;
        entries.push({ seq, event });
        return event;
      });
    },
  };
  const add = (...drafts: Array<Record<string, unknown>>) =>
    log.append(SESSION, drafts as unknown as DraftEvent[]);
  return { log, add };
}

const onThread = (draft: Record<string, unknown>) => ({ ...draft, session_thread_id: THREAD.id });
const received = (text: string) =>
  onThread({
    type: 'agent.thread_message_received',
    from_session_thread_id: SESSION,
    from_agent_name: 'Lead',
    content: [{ type: 'text', text }],
  });
const running = onThread({ type: 'session.thread_status_running', agent_name: 'Scout' });
const said = (text: string) => onThread({ type: 'agent.message', content: [{ type: 'text', text }] });
const idle = (stopReason: Record<string, unknown>) =>
  onThread({
    type: 'session.thread_status_idle',
    agent_name: 'Scout',
    stop_reason: stopReason,
    stop_details: null,
  });

describe('awaitThreadReply', () => {
  it("waits while the thread runs, then returns its last message; other threads' events are not its", async () => {
    const { log, add } = memoryLog();
    await add(received('TASK'), running, said('first thoughts'));
    assert.equal(await threadReply(log, NO_DIRECTORY, SESSION, THREAD), undefined, 'still running');
    const controller = new AbortController();
    let settled = false;
    const waiting = awaitThreadReply({ log, directory: NO_DIRECTORY }, SESSION, THREAD, {
      signal: controller.signal,
      pollMs: 5,
    }).finally(() => {
      settled = true;
    });
    // The primary's message and another thread's are not this thread's reply.
    await add(
      { type: 'agent.message', content: [{ type: 'text', text: 'PRIMARY-TEXT' }] },
      {
        type: 'agent.message',
        content: [{ type: 'text', text: 'OTHER-THREAD' }],
        session_thread_id: 'sthr_other',
      },
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'no reply before the thread idles');
    await add(said('FINAL-REPORT'), idle({ type: 'end_turn' }));
    assert.deepEqual(await waiting, { status: 'done', text: 'FINAL-REPORT', stopReason: 'end_turn' });
    // It took its abort listener off after every poll: a long wait piles none up.
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('a follow-up message starts a new reply: an idle with no message after it replies empty', async () => {
    const { log, add } = memoryLog();
    await add(received('TASK'), running, said('OLD-REPORT'), idle({ type: 'end_turn' }));
    await add(received('FOLLOW-UP'), running, idle({ type: 'end_turn' }));
    const reply = await awaitThreadReply({ log, directory: NO_DIRECTORY }, SESSION, THREAD, {
      signal: new AbortController().signal,
    });
    assert.deepEqual(reply, { status: 'done', text: '', stopReason: 'end_turn' });
  });

  it('a thread waiting on client tool results or a confirmation returns the ids it waits on', async () => {
    const { log, add } = memoryLog();
    await add(
      received('TASK'),
      running,
      idle({ type: 'requires_action', event_ids: ['sevt_tool_1', 'sevt_tool_2'] }),
    );
    const reply = await awaitThreadReply({ log, directory: NO_DIRECTORY }, SESSION, THREAD, {
      signal: new AbortController().signal,
    });
    assert.deepEqual(reply, { status: 'waiting', eventIds: ['sevt_tool_1', 'sevt_tool_2'] });
  });

  it('an idle that ended the turn otherwise (retries exhausted) says so', async () => {
    const { log, add } = memoryLog();
    await add(received('TASK'), running, said('partial'), idle({ type: 'retries_exhausted' }));
    const reply = await awaitThreadReply({ log, directory: NO_DIRECTORY }, SESSION, THREAD, {
      signal: new AbortController().signal,
    });
    assert.deepEqual(reply, { status: 'done', text: 'partial', stopReason: 'retries_exhausted' });
  });

  it('an abort ends the wait with the signal reason and leaves no listener behind', async () => {
    const { log, add } = memoryLog();
    await add(received('TASK'), running);
    const controller = new AbortController();
    const waiting = awaitThreadReply({ log, directory: NO_DIRECTORY }, SESSION, THREAD, {
      signal: controller.signal,
      pollMs: 60_000,
    });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('run canceled'));
    await assert.rejects(waiting, /run canceled/);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    const already = AbortSignal.abort(new Error('before it began'));
    await assert.rejects(
      awaitThreadReply({ log, directory: NO_DIRECTORY }, SESSION, THREAD, { signal: already }),
      /before it began/,
    );
  });
});
