// A session's page: header, threads, pending confirmations, the event timeline
// (history, then the live stream with reply previews), and the message box with Interrupt.
import { h, messageOf, notice, replace, route } from './dom.js';
import { awaitsAction, pendingConfirmations, prettyJson } from './format.js';
import { followEvents } from './live.js';
import { createPreviews } from './previews.js';
import { sessionFiles, sessionHeader, threadList } from './session-header.js';
import { renderEvent } from './timeline.js';
import { createWaterfall } from './waterfall.js';

const TOOL_USES = new Set(['agent.tool_use', 'agent.mcp_tool_use', 'agent.custom_tool_use']);
/** Events after which the session record (status, usage) is worth reading again. */
const REFRESHES_SESSION = /^(session\.(status_|usage|thread_|updated)|user\.tool_confirmation)/;
/** How close to the bottom (px) still counts as "at the bottom" for following a running session. */
const FOLLOW_SLACK = 120;

/**
 * @param {{ client: import('./api.js').ConsoleClient, main: HTMLElement, onAuthError: (e: unknown) => boolean }} context
 * @param {string} sessionId
 * @param {string} [threadId] show one thread's events instead of the primary thread's
 * @returns {() => void} stops the live stream when the user leaves the page
 */
export function renderSession(context, sessionId, threadId) {
  const { client } = context;
  const events = [];
  const seen = new Set();
  const toolNames = new Map();

  const header = h('div', { class: 'session-header' }, notice('Loading…', 'info'));
  const threads = h('div');
  const files = h('div');
  const pending = h('div');
  const timeline = h('ol', { class: 'timeline', 'aria-live': 'polite' });
  const connection = h('span', { class: 'connection' }, 'connecting');
  const streamMessage = h('div');
  const actionMessage = h('div');

  const reportError = (error) => {
    if (!context.onAuthError(error)) replace(actionMessage, notice(messageOf(error)));
  };

  /** Runs an API call from a button, disabling it meanwhile. */
  const act = (button, action) => async () => {
    button.disabled = true;
    replace(actionMessage);
    try {
      await action();
    } catch (error) {
      reportError(error);
    } finally {
      button.disabled = false;
    }
  };
  /** A button whose click runs `action` through `act`. */
  const actionButton = (label, className, action) => {
    const button = h('button', { type: 'button', class: className }, label);
    button.addEventListener('click', act(button, action));
    return button;
  };

  const interrupt = actionButton('Interrupt', 'danger', () => client.interrupt(sessionId, threadId));

  const text = h('textarea', { rows: 3, placeholder: 'Message the agent (Ctrl+Enter sends)' });
  const send = h('button', { type: 'submit' }, 'Send');
  const compose = h(
    'form',
    {
      class: 'compose',
      onsubmit: (event) => {
        event.preventDefault();
        const value = text.value;
        if (!value.trim()) return;
        void act(send, async () => {
          await client.sendMessage(sessionId, value);
          text.value = '';
        })();
      },
    },
    text,
    h('div', { class: 'compose-actions' }, send, interrupt),
  );
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) compose.requestSubmit();
  });

  /** Agent names by thread id, for pills and hand-backs; the primary's id, for this view. */
  const threadNames = new Map();
  const startedAt = new Map();
  const renderContext = { namesById: toolNames, threadNames, viewThreadId: threadId, startedAt };
  const steps = createWaterfall(renderContext);
  replace(
    context.main,
    header,
    threads,
    files,
    steps.element,
    pending,
    h(
      'section',
      { class: 'card' },
      h('div', { class: 'timeline-head' }, h('h2', null, 'Events'), connection),
      streamMessage,
      timeline,
    ),
    threadId
      ? h(
          'div',
          { class: 'compose' },
          h('p', { class: 'muted' }, 'Messages go to the primary thread.'),
          interrupt,
        )
      : compose,
    actionMessage,
  );

  let session;
  let threadRecords = [];
  let cost;

  const archive = actionButton('Archive', 'small secondary', async () => {
    await client.archiveSession(sessionId);
    await showSession();
  });
  const remove = actionButton('Delete', 'small danger', async () => {
    if (!window.confirm(`Delete session ${sessionId} and its events? This cannot be undone.`)) return;
    await client.deleteSession(sessionId);
    context.navigate(route('sessions'));
  });

  const drawHeader = () => {
    if (!session) return;
    const thread = threadId ? threadRecords.find((t) => t.id === threadId) : undefined;
    replace(
      header,
      sessionHeader({
        session,
        thread: threadId ? (thread ?? { id: threadId, status: '', agent: null }) : undefined,
        cost,
        waitsForUser: awaitsAction(events),
        actions: session.archived_at ? [remove] : [archive, remove],
      }),
    );
  };
  const showSession = async () => {
    const [record, threadAnswer, costAnswer] = await Promise.all([
      client.retrieveSession(sessionId),
      client.listThreads(sessionId).catch(() => threadRecords),
      // The exact figure is a nicety: without it the header shows the wire's whole cents.
      client.sessionCost(sessionId).catch(() => undefined),
    ]);
    session = record;
    threadRecords = threadAnswer;
    cost = costAnswer;
    for (const thread of threadRecords) {
      threadNames.set(thread.id, thread.agent?.name ?? thread.id);
      if (!threadId && thread.parent_thread_id === null) renderContext.viewThreadId = thread.id;
    }
    drawHeader();
    replace(threads, threadList(sessionId, threadRecords, threadId, cost));
    if (!threadId) {
      const answer = await client
        .list('files', { limit: 100, scope_id: sessionId })
        .catch(() => ({ data: [] }));
      replace(files, sessionFiles(context, answer.data));
    }
    if (!threadId) compose.hidden = session.status === 'terminated' || Boolean(session.archived_at);
  };
  let refreshTimer;
  const refreshSoon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => showSession().catch(reportError), 250);
  };

  // Follow a running session while the user is at the bottom; scrolling up stops it.
  let following = true;
  const onScroll = () => {
    following = document.documentElement.scrollHeight - (window.scrollY + window.innerHeight) < FOLLOW_SLACK;
  };
  window.addEventListener('scroll', onScroll, { passive: true });
  const follow = () => {
    if (following) window.scrollTo(0, document.documentElement.scrollHeight);
  };
  const previews = createPreviews((element) => {
    timeline.appendChild(element);
    follow();
  }, follow);

  const showPending = () => {
    const uses = pendingConfirmations(events);
    if (uses.length === 0) return replace(pending);
    replace(
      pending,
      h(
        'section',
        { class: 'card pending' },
        h('h2', null, 'Waiting for your confirmation'),
        uses.map((use) => {
          const reason = h('input', { type: 'text', placeholder: 'Reason (optional, sent to the model)' });
          const allow = actionButton('Allow', '', () => client.confirmTool(sessionId, use.id, 'allow'));
          const deny = actionButton('Deny', 'danger', () =>
            client.confirmTool(sessionId, use.id, 'deny', reason.value.trim()),
          );
          return h(
            'div',
            { class: 'confirmation', 'data-tool-use-id': use.id },
            h('p', null, h('strong', null, use.name), ' ', h('code', { class: 'id' }, use.id)),
            h('pre', { class: 'block input' }, prettyJson(use.input ?? {})),
            h('div', { class: 'confirmation-actions' }, allow, deny, reason),
          );
        }),
      ),
    );
  };

  /** `bulk`: part of the history; the caller refreshes the pending list once at the end. */
  const addEvent = (event, bulk = false) => {
    if (!bulk && previews.accept(event)) return;
    if (event.id) {
      if (seen.has(event.id)) return;
      seen.add(event.id);
    }
    events.push(event);
    if (TOOL_USES.has(event.type)) toolNames.set(event.id, event.name);
    if (TOOL_USES.has(event.type) || event.type === 'span.model_request_start')
      startedAt.set(event.id, event.processed_at);
    const element = renderEvent(event, renderContext);
    steps.add(event, bulk);
    const preview = bulk ? undefined : previews.takeover(event);
    if (preview) preview.replaceWith(element);
    else timeline.appendChild(element);
    previews.observe(event);
    if (bulk) return;
    const viewIdle = threadId
      ? event.type === 'session.thread_status_idle' && event.session_thread_id === threadId
      : event.type === 'session.status_idle';
    if (viewIdle) previews.settle();
    follow();
    if (REFRESHES_SESSION.test(event.type)) refreshSoon();
    showPending();
    drawHeader();
  };

  // Connect first, then read the history: whatever lands in between arrives on both, once shown.
  let historyShown = false;
  const early = [];
  let connected;
  const whenConnected = new Promise((resolve) => {
    connected = resolve;
  });
  const follower = followEvents(client, sessionId, {
    threadId,
    eventDeltas: ['agent.message'],
    onEvent: (event) => (historyShown ? addEvent(event) : early.push(event)),
    onState: (state) => {
      connection.textContent = state;
      connection.className = `connection connection-${state}`;
      if (state === 'live') replace(streamMessage);
      if (state === 'live' || state === 'failed' || state === 'ended') connected();
    },
    onError: (error) => {
      const signedOut = error.type === 'authentication_error';
      if (signedOut && context.onAuthError(Object.assign(new Error(error.message), { status: 401 }))) return;
      replace(
        streamMessage,
        notice(
          `Stream: ${error.message}${error.fatal ? '' : ' (reconnecting)'}`,
          error.fatal ? 'error' : 'info',
        ),
      );
    },
    onHeartbeat: () => {
      connection.title = `last heartbeat ${new Date().toLocaleTimeString()}`;
    },
  });

  (async () => {
    await showSession();
    await whenConnected;
    const history = await client.listAllEvents(sessionId, { threadId });
    for (const event of history) addEvent(event, true);
    follower.resumeAfter(history.at(-1)?.id);
    historyShown = true;
    steps.draw();
    showPending();
    drawHeader();
    follow();
    for (const event of early.splice(0)) addEvent(event);
  })().catch((error) => {
    if (!context.onAuthError(error)) replace(header, notice(messageOf(error)));
  });

  return () => {
    clearTimeout(refreshTimer);
    window.removeEventListener('scroll', onScroll);
    void follower.stop();
  };
}
