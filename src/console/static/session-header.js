// A session page's header (status, agent, usage, exact cost, archive/delete) and its threads.
import { badge, h, route } from './dom.js';
import {
  displayStatus,
  formatBytes,
  formatCost,
  formatTime,
  formatUsage,
  formatUsd,
  hasUsage,
} from './format.js';
import { downloadButton } from './lists.js';

const agentLabel = (agent) => (agent ? `${agent.name ?? agent.id} v${agent.version ?? '?'}` : '');

/** `$0.000123` from the cost report, else the wire's whole cents. */
function costText(session, cost, thread) {
  if (thread) {
    const entry = cost?.threads?.find((t) => t.session_thread_id === thread.id);
    return entry ? `tokens ${formatUsd(entry.tokens_usd)}` : '';
  }
  if (cost && cost.total_usd !== undefined) return formatUsd(cost.total_usd);
  return formatCost(session.usage?.list_cost, { used: hasUsage(session.usage) });
}

/**
 * @param {{ session: any, thread?: any, cost?: any, waitsForUser: boolean,
 *   actions: HTMLElement[] }} input `thread`: the thread this page shows, if not the primary
 */
export function sessionHeader({ session, thread, cost, waitsForUser, actions }) {
  const status = thread ? thread.status : displayStatus(session.status, waitsForUser);
  const usage = thread ? thread.usage : session.usage;
  return [
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, session.title || 'Session', ' ', h('code', { class: 'id' }, session.id)),
      thread ? null : h('div', { class: 'header-actions' }, actions),
    ),
    thread
      ? h(
          'p',
          null,
          'Thread of ',
          h('strong', null, thread.agent?.name ?? thread.id),
          ' ',
          h('code', { class: 'id' }, thread.id),
          ' · ',
          h('a', { href: route('sessions', session.id) }, 'back to the session'),
        )
      : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Status'),
      h(
        'dd',
        { class: 'session-status' },
        badge(status, status.replace(' ', '-')),
        session.archived_at ? [' ', badge('archived')] : null,
      ),
      h('dt', null, 'Agent'),
      h('dd', null, agentLabel(thread ? thread.agent : session.agent)),
      h('dt', null, 'Environment'),
      h('dd', null, h('code', null, session.environment_id ?? '')),
      h('dt', null, 'Created'),
      h('dd', null, formatTime(session.created_at)),
      h('dt', null, 'Usage'),
      h('dd', { class: 'session-usage' }, formatUsage(usage) || '—'),
      h('dt', null, 'Cost'),
      h(
        'dd',
        { class: 'session-cost', title: 'Exact list cost from GET /v1/sessions/{id}/cost' },
        costText(session, cost, thread) || '—',
      ),
    ),
  ];
}

/** Child threads depth first under their parents, each with its depth (the primary's children: 1). */
function treeOrder(threads, primaryId) {
  const byParent = new Map();
  for (const thread of threads) {
    if (thread.parent_thread_id === null) continue;
    const siblings = byParent.get(thread.parent_thread_id) ?? [];
    siblings.push(thread);
    byParent.set(thread.parent_thread_id, siblings);
  }
  const out = [];
  const placed = new Set();
  const visit = (parentId, depth) => {
    for (const thread of byParent.get(parentId) ?? []) {
      if (placed.has(thread.id)) continue;
      placed.add(thread.id);
      out.push([thread, depth]);
      visit(thread.id, depth + 1);
    }
  };
  visit(primaryId, 1);
  // Threads whose parent is not listed still show, at the first level.
  for (const thread of threads) {
    if (thread.parent_thread_id !== null && !placed.has(thread.id)) out.push([thread, 1]);
  }
  return out;
}

/** A thread's agent as the thread list names it: advisor consultations and inline agents say so. */
export function threadLabel(thread) {
  const agent = thread.agent;
  if (agent?.type === 'advisor') return `Advisor (${agent.model})`;
  if (agent?.type === 'inline') return `${agent.name} (inline)`;
  return agent?.name ?? thread.id;
}

/** The session's threads with their agent, status, usage and token cost; null for a single agent. */
export function threadList(sessionId, threads, currentThreadId, cost) {
  const children = threads.filter((thread) => thread.parent_thread_id !== null);
  if (children.length === 0) return null;
  const primary = threads.find((thread) => thread.parent_thread_id === null);
  const row = (thread, label, depth = 0) => {
    const tokens = cost?.threads?.find((t) => t.session_thread_id === thread.id)?.tokens_usd;
    const isCurrent = thread.parent_thread_id === null ? !currentThreadId : thread.id === currentThreadId;
    const href =
      thread.parent_thread_id === null
        ? route('sessions', sessionId)
        : route('sessions', sessionId, 'threads', thread.id);
    return h(
      'tr',
      null,
      h(
        'td',
        // A thread's place in the tree: indented under the thread that started it.
        depth ? { class: `depth depth-${Math.min(depth, 4)}` } : null,
        depth ? h('span', { class: 'muted', 'aria-hidden': 'true' }, '└ ') : null,
        isCurrent ? h('strong', null, label) : h('a', { href }, label),
      ),
      h('td', null, badge(thread.status)),
      h('td', null, h('code', { class: 'id' }, thread.id)),
      h('td', null, formatUsage(thread.usage)),
      h('td', null, tokens === undefined ? '' : formatUsd(tokens)),
    );
  };
  return h(
    'section',
    { class: 'card threads' },
    h('h2', null, 'Threads'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        null,
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['Agent', 'Status', 'Thread', 'Usage', 'Token cost'].map((t) => h('th', null, t)),
          ),
        ),
        h(
          'tbody',
          null,
          primary ? row(primary, `${primary.agent?.name ?? 'Primary'} (primary)`) : null,
          treeOrder(threads, primary?.id).map(([thread, depth]) => row(thread, threadLabel(thread), depth)),
        ),
      ),
    ),
  );
}

/** The session's files (its outputs, `/mnt/session/outputs`), each downloadable; null when none. */
export function sessionFiles(context, files) {
  if (!files.length) return null;
  const status = h('div');
  return h(
    'section',
    { class: 'card session-files' },
    h('h2', null, `Files (${files.length})`),
    h(
      'ul',
      { class: 'files' },
      files.map((file) =>
        h(
          'li',
          null,
          h('strong', null, file.filename),
          ' ',
          h(
            'span',
            { class: 'muted' },
            [formatBytes(file.size_bytes), file.mime_type].filter(Boolean).join(' · '),
          ),
          ' ',
          downloadButton(context, file, status),
        ),
      ),
    ),
    status,
  );
}
