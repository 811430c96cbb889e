// A webhook endpoint: its facts, enable/disable, and its delivery log (Paddock's extension,
// docs/webhooks.md) with each attempt and a Redeliver button. The endpoints list is in
// family-lists.js. The signing secret is never shown (the API returns it only on create).
import { actionButtons } from './action-button.js';
import { badge, h, replace, route } from './dom.js';
import { formatTime } from './format.js';

const segment = (value) => encodeURIComponent(String(value));
const endpointPath = (id) => `/v1/organizations/webhooks/${segment(id)}`;

function attemptList(attempts) {
  if (!attempts?.length) return null;
  return h(
    'details',
    null,
    h('summary', null, `${attempts.length} attempt${attempts.length === 1 ? '' : 's'}`),
    h(
      'ol',
      { class: 'webhook-attempts' },
      attempts.map((attempt) =>
        h(
          'li',
          null,
          `#${attempt.attempt} ${formatTime(attempt.started_at)} · `,
          attempt.status_code === null ? 'no response' : `HTTP ${attempt.status_code}`,
          ` · ${attempt.duration_ms} ms`,
          attempt.error ? [' · ', h('span', { class: 'muted' }, attempt.error)] : null,
          attempt.response_body_excerpt ? h('pre', { class: 'block' }, attempt.response_body_excerpt) : null,
        ),
      ),
    ),
  );
}

/** @param {{ client: import('./api.js').ConsoleClient, main: HTMLElement, onAuthError: (e: unknown) => boolean }} context */
export async function renderWebhook(context, endpointId) {
  const { client } = context;
  const [endpoint, deliveries] = await Promise.all([
    client.json('GET', endpointPath(endpointId)),
    client.json('GET', `${endpointPath(endpointId)}/deliveries`, { query: { limit: 50 } }),
  ]);
  const message = h('div');
  const act = actionButtons(context, message, () => renderWebhook(context, endpointId));
  const enabled = endpoint.state === 'enabled';
  const toggle = act(enabled ? 'Disable' : 'Enable', enabled ? 'small secondary' : 'small', () =>
    client.json('POST', endpointPath(endpointId), { body: { state: enabled ? 'disabled' : 'enabled' } }),
  );
  const rows = (deliveries.data ?? []).map((delivery) =>
    h(
      'tr',
      { class: 'webhook-delivery', 'data-delivery-id': delivery.id },
      h('td', null, h('code', { class: 'id' }, delivery.id), delivery.manual ? [' ', badge('manual')] : null),
      h('td', null, delivery.event_type),
      h('td', null, badge(delivery.status)),
      h('td', null, String(delivery.attempt_count), attemptList(delivery.attempts)),
      h('td', null, delivery.last_status_code === null ? '' : String(delivery.last_status_code)),
      h('td', null, delivery.next_attempt_at ? formatTime(delivery.next_attempt_at) : ''),
      h('td', null, formatTime(delivery.created_at)),
      h(
        'td',
        null,
        act('Redeliver', 'small secondary', () =>
          client.json('POST', `${endpointPath(endpointId)}/deliveries/${segment(delivery.id)}/redeliver`, {
            body: {},
          }),
        ),
      ),
    ),
  );
  replace(
    context.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, endpoint.name || endpoint.url, ' ', h('code', { class: 'id' }, endpoint.id)),
      h(
        'div',
        { class: 'header-actions' },
        toggle,
        h('a', { class: 'button secondary', href: route('webhooks') }, 'All endpoints'),
      ),
    ),
    message,
    h(
      'section',
      { class: 'card' },
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, 'URL'),
        h('dd', null, h('code', null, endpoint.url)),
        h('dt', null, 'State'),
        h('dd', { class: 'webhook-state' }, badge(endpoint.state)),
        endpoint.disabled_reason
          ? [h('dt', null, 'Disabled because'), h('dd', null, endpoint.disabled_reason)]
          : null,
        endpoint.description ? [h('dt', null, 'Description'), h('dd', null, endpoint.description)] : null,
        h('dt', null, 'Events'),
        h('dd', null, (endpoint.enabled_events ?? []).join(', ')),
        h('dt', null, 'Created'),
        h('dd', null, formatTime(endpoint.created_at)),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', null, 'Deliveries'),
      rows.length === 0
        ? h('p', { class: 'muted' }, 'No deliveries yet.')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'list' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['Delivery', 'Event', 'Status', 'Attempts', 'Last HTTP', 'Next attempt', 'Created', ''].map(
                    (label) => h('th', null, label),
                  ),
                ),
              ),
              h('tbody', null, rows),
            ),
          ),
    ),
  );
}
