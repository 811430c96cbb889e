// The sessions list's filters: status, agent and archived go to the API (`statuses[]`,
// `agent_id`, `include_archived`); the search box narrows the page shown by title or id.
import { h } from './dom.js';

const STATUSES = ['running', 'idle', 'rescheduling', 'terminated'];

/** @param {() => void} changed reloads the list from its first page */
export function sessionFilters(changed) {
  const status = h(
    'select',
    { 'aria-label': 'Status', onchange: changed },
    h('option', { value: '' }, 'Any status'),
    STATUSES.map((name) => h('option', { value: name }, name)),
  );
  const agent = h('input', {
    type: 'text',
    placeholder: 'Agent id (agent_…)',
    'aria-label': 'Agent id',
    onchange: changed,
  });
  const archived = h('input', { type: 'checkbox', onchange: changed });
  const search = h('input', {
    type: 'search',
    placeholder: 'Search title or id',
    'aria-label': 'Search',
    oninput: changed,
  });
  const element = h(
    'form',
    { class: 'filters', onsubmit: (event) => event.preventDefault() },
    status,
    agent,
    h('label', { class: 'check' }, archived, ' Include archived'),
    search,
  );
  return {
    element,
    query: () => ({
      statuses: status.value ? [status.value] : undefined,
      agent_id: agent.value.trim() || undefined,
      include_archived: archived.checked ? 'true' : undefined,
    }),
    /** @param {any} session */
    matches: (session) => {
      const needle = search.value.trim().toLowerCase();
      return !needle || `${session.title ?? ''} ${session.id}`.toLowerCase().includes(needle);
    },
  };
}
