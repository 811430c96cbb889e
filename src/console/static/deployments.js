// A deployment: its facts and schedule, Pause / Unpause / Run now / Archive, and its runs (each
// linked to the session it started). The deployments list is in family-lists.js.
import { actionButtons } from './action-button.js';
import { columnTable } from './column-table.js';
import { badge, h, replace, route } from './dom.js';
import { formatCost, formatTime } from './format.js';

const segment = (value) => encodeURIComponent(String(value));
const deploymentPath = (id) => `/v1/deployments/${segment(id)}`;

function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(Boolean).map(([term, value]) => [h('dt', null, term), h('dd', null, value)]),
  );
}

const triggerText = (trigger) =>
  trigger?.type === 'schedule' ? `schedule ${formatTime(trigger.scheduled_at)}` : (trigger?.type ?? '');

function runsTable(runs) {
  if (runs.length === 0) return h('p', { class: 'muted' }, 'No runs yet.');
  const columns = [
    ['Run', (r) => h('code', { class: 'id' }, r.id)],
    ['Status', (r) => (r.status ? badge(r.status) : '')],
    ['Trigger', (r) => triggerText(r.trigger_context)],
    ['Session', (r) => (r.session_id ? h('a', { href: route('sessions', r.session_id) }, r.session_id) : '')],
    ['Cost', (r) => (r.cost ? formatCost(r.cost) : '')],
    ['Started', (r) => formatTime(r.created_at)],
    ['Ended', (r) => formatTime(r.ended_at)],
    ['Why', (r) => r.status_reason ?? (r.error ? `${r.error.type}: ${r.error.message}` : '')],
  ];
  return h(
    'div',
    { class: 'table-wrap' },
    columnTable(columns, runs, {
      className: 'list deployment-runs',
      rowAttributes: (run) => ({ 'data-run-id': run.id }),
    }),
  );
}

/** @param {{ client: import('./api.js').ConsoleClient, main: HTMLElement, onAuthError: (e: unknown) => boolean }} context */
export async function renderDeployment(context, deploymentId) {
  const { client } = context;
  const [deployment, runs] = await Promise.all([
    client.json('GET', deploymentPath(deploymentId)),
    client.json('GET', '/v1/deployment_runs', { query: { deployment_id: deploymentId, limit: 20 } }),
  ]);
  const message = h('div');
  const act = actionButtons(context, message, () => renderDeployment(context, deploymentId));
  const post = (suffix) => () =>
    client.json('POST', `${deploymentPath(deploymentId)}/${suffix}`, { body: {} });
  const archived = Boolean(deployment.archived_at);
  const actions = archived
    ? []
    : [
        deployment.status === 'paused'
          ? act('Unpause', 'small', post('unpause'))
          : act('Pause', 'small secondary', post('pause')),
        act('Run now', 'small', post('run')),
        act('Archive', 'small danger', async () => {
          if (!window.confirm(`Archive deployment ${deployment.name}? Its schedule stops.`)) return;
          await post('archive')();
        }),
      ];
  const schedule = deployment.schedule;
  const paused = deployment.paused_reason;
  replace(
    context.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, deployment.name, ' ', h('code', { class: 'id' }, deployment.id)),
      h('div', { class: 'header-actions' }, actions),
    ),
    message,
    h(
      'section',
      { class: 'card' },
      facts([
        [
          'Status',
          h(
            'span',
            { class: 'deployment-status' },
            badge(deployment.status),
            archived ? [' ', badge('archived')] : null,
          ),
        ],
        paused
          ? ['Paused because', paused.type === 'error' ? `error: ${paused.error?.type ?? ''}` : paused.type]
          : null,
        deployment.description ? ['Description', deployment.description] : null,
        [
          'Agent',
          deployment.agent
            ? h(
                'a',
                { href: route('agents', deployment.agent.id) },
                `${deployment.agent.name ?? deployment.agent.id}`,
              )
            : '',
        ],
        [
          'Environment',
          h('a', { href: route('environments', deployment.environment_id) }, deployment.environment_id),
        ],
        ['Schedule', schedule ? `${schedule.expression} (${schedule.timezone})` : 'manual only'],
        schedule ? ['Last run', formatTime(schedule.last_run_at) || 'never'] : null,
        schedule?.upcoming_runs_at?.length
          ? ['Upcoming', schedule.upcoming_runs_at.slice(0, 3).map(formatTime).join(', ')]
          : null,
        ['Created', formatTime(deployment.created_at)],
        ['Updated', formatTime(deployment.updated_at)],
      ]),
    ),
    h('section', { class: 'card' }, h('h2', null, 'Runs'), runsTable(runs.data ?? [])),
  );
}
