// A session's page: header, threads, pending confirmations, the event timeline
// (history, then the live stream), and the message box with Interrupt.
import { badge, h, messageOf, notice, replace, route } from './dom.js';
import { formatCost, formatTime, formatUsage, pendingConfirmations, prettyJson } from './format.js';
import { followEvents } from './live.js';
import { renderEvent } from './timeline.js';

const TOOL_USES = new Set(['agent.tool_use', 'agent.mcp_tool_use', 'agent.custom_tool_use']);
/** Events after which the session record (status, usage) is worth reading again. */
const REFRESHES_SESSION = /^session\.(status_|usage|thread_|updated)/;

function sessionHeader(session, threadId) {
  const agent = session.agent
    ? `${session.agent.name ?? session.agent.id} v${session.agent.version ?? '?'}`
    : '';
  const cost = formatCost(session.usage?.list_cost);
  return [
    h('h1', null, session.title || 'Session', ' ', h('code', { class: 'id' }, session.id)),
    threadId
      ? h(
          'p',
          null,
          'Thread ',
          h('code', { class: 'id' }, threadId),
          ' · ',
          h('a', { href: route('sessions', session.id) }, 'back to the session'),
        )
      : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Status'),
      h('dd', null, badge(session.status), session.archived_at ? [' ', badge('archived')] : null),
      h('dt', null, 'Agent'),
      h('dd', null, agent),
      h('dt', null, 'Environment'),
      h('dd', null, h('code', null, session.environment_id ?? '')),
      h('dt', null, 'Created'),
      h('dd', null, formatTime(session.created_at)),
      h('dt', null, 'Usage'),
      h('dd', null, [formatUsage(session.usage), cost].filter(Boolean).join(' · ') || '—'),
    ),
  ];
}

function threadList(sessionId, threads, currentThreadId) {
  const children = threads.filter((thread) => thread.parent_thread_id !== null);
  if (children.length === 0) return null;
  return h(
    'section',
    { class: 'card threads' },
    h('h2', null, 'Threads'),
    h(
      'ul',
      null,
      h(
        'li',
        null,
        currentThreadId
          ? h('a', { href: route('sessions', sessionId) }, 'Primary thread')
          : h('strong', null, 'Primary thread'),
      ),
      children.map((thread) =>
        h(
          'li',
          null,
          thread.id === currentThreadId
            ? h('strong', null, thread.agent?.name ?? thread.id)
            : h(
                'a',
                { href: route('sessions', sessionId, 'threads', thread.id) },
                thread.agent?.name ?? thread.id,
              ),
          ' ',
          badge(thread.status),
          ' ',
          h('code', { class: 'id' }, thread.id),
          ' ',
          h('span', { class: 'muted' }, formatUsage(thread.usage)),
        ),
      ),
    ),
  );
}

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

  const interrupt = h('button', { type: 'button', class: 'danger' }, 'Interrupt');
  interrupt.addEventListener(
    'click',
    act(interrupt, () => client.interrupt(sessionId, threadId)),
  );

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

  replace(
    context.main,
    header,
    threads,
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
  const showSession = async () => {
    session = await client.retrieveSession(sessionId);
    replace(header, sessionHeader(session, threadId));
    if (!threadId) compose.hidden = session.status === 'terminated' || Boolean(session.archived_at);
  };
  const showThreads = async () => {
    replace(threads, threadList(sessionId, await client.listThreads(sessionId), threadId));
  };
  let refreshTimer;
  const refreshSoon = (withThreads) => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      showSession().catch(reportError);
      if (withThreads) showThreads().catch(reportError);
    }, 250);
  };

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
          const allow = h('button', { type: 'button' }, 'Allow');
          const deny = h('button', { type: 'button', class: 'danger' }, 'Deny');
          allow.addEventListener(
            'click',
            act(allow, () => client.confirmTool(sessionId, use.id, 'allow')),
          );
          deny.addEventListener(
            'click',
            act(deny, () => client.confirmTool(sessionId, use.id, 'deny', reason.value.trim())),
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
    if (event.id) {
      if (seen.has(event.id)) return;
      seen.add(event.id);
    }
    events.push(event);
    if (TOOL_USES.has(event.type)) toolNames.set(event.id, event.name);
    if (bulk) {
      timeline.appendChild(renderEvent(event, toolNames));
      return;
    }
    const nearBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;
    timeline.appendChild(renderEvent(event, toolNames));
    if (nearBottom) timeline.lastElementChild?.scrollIntoView({ block: 'end' });
    if (REFRESHES_SESSION.test(event.type)) refreshSoon(event.type.startsWith('session.thread_'));
    showPending();
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
    showPending();
    timeline.lastElementChild?.scrollIntoView({ block: 'end' });
    for (const event of early.splice(0)) addEvent(event);
    await showThreads();
  })().catch((error) => {
    if (!context.onAuthError(error)) replace(header, notice(messageOf(error)));
  });

  return () => {
    clearTimeout(refreshTimer);
    void follower.stop();
  };
}
