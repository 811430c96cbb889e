// List specs for skills, deployments, webhook endpoints and workspaces (rendered by lists.js).
// A spec: a title, an empty-list text, columns ([header, cell over one wire object]), and for
// the organization routes (before_id/after_id paging) `path` with `idPaged`.
import { badge, h, route } from './dom.js';
import { formatTime } from './format.js';
import { WORKSPACE_STORAGE } from './workspace.js';

const idCell = (id) => h('code', { class: 'id' }, id);

/** Switches the console to a workspace (an admin key's picker does the same) and shows its sessions. */
function useWorkspace(workspaceId) {
  sessionStorage.setItem(WORKSPACE_STORAGE, workspaceId);
  location.hash = route('sessions');
}

export const FAMILY_LISTS = {
  skills: {
    title: 'Skills',
    empty: 'No skills yet (upload one with the SDK: client.beta.skills.create, or paddock skills).',
    columns: [
      ['Skill', (s) => [h('a', { href: route('skills', s.id) }, s.display_name || s.id), ' ', idCell(s.id)]],
      ['Source', (s) => s.source?.type ?? ''],
      ['Latest version', (s) => idCell(s.latest_version_id ?? '')],
      ['Updated', (s) => formatTime(s.updated_at)],
    ],
  },
  deployments: {
    title: 'Deployments',
    empty: 'No deployments yet (create one with the SDK: client.beta.deployments.create).',
    columns: [
      [
        'Deployment',
        (d) => [h('a', { href: route('deployments', d.id) }, d.name || d.id), ' ', idCell(d.id)],
      ],
      ['Status', (d) => [badge(d.status), d.archived_at ? [' ', badge('archived')] : null]],
      ['Agent', (d) => (d.agent ? `${d.agent.name ?? d.agent.id} v${d.agent.version ?? '?'}` : '')],
      ['Schedule', (d) => (d.schedule ? `${d.schedule.expression} (${d.schedule.timezone})` : 'manual only')],
      ['Next run', (d) => formatTime(d.schedule?.upcoming_runs_at?.[0])],
      ['Created', (d) => formatTime(d.created_at)],
    ],
  },
  webhooks: {
    title: 'Webhook endpoints',
    empty: 'No webhook endpoints yet (register one with client.beta.organization.webhooks.create).',
    path: '/v1/organizations/webhooks',
    idPaged: true,
    columns: [
      ['Endpoint', (w) => [h('a', { href: route('webhooks', w.id) }, w.name || w.url), ' ', idCell(w.id)]],
      ['URL', (w) => h('code', null, w.url)],
      ['State', (w) => badge(w.state)],
      ['Events', (w) => (w.enabled_events ?? []).join(', ')],
      ['Created', (w) => formatTime(w.created_at)],
    ],
  },
  workspaces: {
    title: 'Workspaces',
    empty: 'No workspaces.',
    path: '/v1/organizations/workspaces',
    idPaged: true,
    query: { include_archived: 'true' },
    columns: [
      ['Workspace', (w) => [w.name, ' ', idCell(w.id)]],
      ['Created', (w) => formatTime(w.created_at)],
      ['Archived', (w) => (w.archived_at ? badge('archived') : '')],
      [
        '',
        (w) =>
          h(
            'button',
            { type: 'button', class: 'small secondary', onclick: () => useWorkspace(w.id) },
            'Work here',
          ),
      ],
    ],
  },
};

/**
 * One page of any list as `{data, next_page}`: cursor-paged routes as they are, the
 * organization routes' `has_more`/`last_id` turned into a cursor (`after_id`).
 */
export async function fetchListPage(client, resource, spec, { limit, page, ...filters }) {
  if (!spec.idPaged) return client.list(resource, { limit, page, ...filters });
  const answer = await client.json('GET', spec.path, {
    query: { limit, after_id: page, ...spec.query, ...filters },
  });
  return { data: answer.data, next_page: answer.has_more ? answer.last_id : null };
}
