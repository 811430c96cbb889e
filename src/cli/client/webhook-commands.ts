import type Anthropic from '@anthropic-ai/sdk';
import type { Command } from 'commander';
import { collect } from './body-file.js';
import { withClientOptions } from './connect.js';
import { type Column, printJson, printRecord, printTable } from './output.js';
import { clientAction, type ExitCode } from './resource-commands.js';

type Options = Record<string, unknown> & { json?: boolean };
type Row = Record<string, unknown>;
// The SDK types enabled_events with its organization events only; the server takes (and checks) every type.
type EnabledEvents = Parameters<Anthropic['beta']['organization']['webhooks']['create']>[0]['enabled_events'];
const eventTypes = (value: unknown) => value as EnabledEvents | undefined;
const base = '/v1/organizations/webhooks';

const ENDPOINT_COLUMNS: Column[] = [
  { header: 'id', value: (row) => row['id'] },
  { header: 'state', value: (row) => row['state'] },
  { header: 'url', value: (row) => row['url'] },
  { header: 'events', value: (row) => (row['enabled_events'] as string[]).join(',') },
  { header: 'name', value: (row) => row['name'] },
];
const DELIVERY_COLUMNS: Column[] = [
  { header: 'id', value: (row) => row['id'] },
  { header: 'event', value: (row) => row['event_type'] },
  { header: 'status', value: (row) => row['status'] },
  { header: 'attempts', value: (row) => row['attempt_count'] },
  { header: 'last_code', value: (row) => row['last_status_code'] },
  { header: 'next_attempt_at', value: (row) => row['next_attempt_at'] },
  { header: 'created_at', value: (row) => row['created_at'] },
];

const endpointFlags = (command: Command) =>
  command
    .option('--url <url>', 'https:// URL deliveries are sent to')
    .option(
      '--events <types>',
      'event types, e.g. session.status_idled (repeatable, comma-separated)',
      collect,
    )
    .option('--name <name>', 'a short label')
    .option('--description <text>', 'notes about the endpoint');

/**
 * `paddock webhooks create|list|get|update|delete|rotate-secret|deliveries|redeliver`: the SDK's
 * `client.beta.organization.webhooks`, plus Paddock's delivery log (docs/webhooks.md).
 */
export function registerWebhookCommands(program: Command, exit: ExitCode): Command {
  const group = program.command('webhooks').description('manage webhook endpoints on a Paddock server');
  const hooks = (client: Anthropic) => client.beta.organization.webhooks;

  withClientOptions(endpointFlags(group.command('create').description('create a webhook endpoint'))).action(
    clientAction(exit, async ({ client }, options: Options) => {
      const created = await hooks(client).create({
        url: String(options['url'] ?? ''),
        enabled_events: eventTypes(options['events']) ?? [],
        ...(options['name'] !== undefined ? { name: String(options['name']) } : {}),
        ...(options['description'] !== undefined ? { description: String(options['description']) } : {}),
      });
      if (options.json) printJson(created);
      else
        process.stdout.write(
          `created webhook endpoint ${created.id}\nsigning secret (shown once): ${created.signing_secret}\n`,
        );
    }),
  );
  withClientOptions(group.command('list').description('list webhook endpoints')).action(
    clientAction(exit, async ({ client }, options: Options) => {
      const listed = (await hooks(client).list({ limit: 100 })).data as unknown as Row[];
      if (options.json) printJson(listed);
      else printTable(listed, ENDPOINT_COLUMNS);
    }),
  );
  withClientOptions(group.command('get').argument('<id>').description('show a webhook endpoint')).action(
    clientAction(exit, async ({ client }, options: Options, id = '') => {
      const endpoint = await hooks(client).retrieve(id);
      if (options.json) printJson(endpoint);
      else printRecord(endpoint as unknown as Row);
    }),
  );
  withClientOptions(
    endpointFlags(group.command('update').argument('<id>').description('update a webhook endpoint')).option(
      '--state <state>',
      'enabled or disabled (enabling clears disabled_reason)',
    ),
  ).action(
    clientAction(exit, async ({ client }, options: Options, id = '') => {
      const body = Object.fromEntries(
        (['url', 'name', 'description', 'state'] as const)
          .filter((key) => options[key] !== undefined)
          .map((key) => [key, options[key]]),
      );
      const events = eventTypes(options['events']);
      const updated = await hooks(client).update(id, {
        ...body,
        ...(events ? { enabled_events: events } : {}),
      });
      if (options.json) printJson(updated);
      else process.stdout.write(`updated webhook endpoint ${id} (${updated.state})\n`);
    }),
  );
  withClientOptions(group.command('delete').argument('<id>').description('delete a webhook endpoint')).action(
    clientAction(exit, async ({ client }, options: Options, id = '') => {
      const deleted = await hooks(client).delete(id);
      if (options.json) printJson(deleted);
      else process.stdout.write(`deleted webhook endpoint ${id}\n`);
    }),
  );
  withClientOptions(
    group
      .command('rotate-secret')
      .argument('<id>')
      .description('replace the signing secret (old one stops at once)'),
  ).action(
    clientAction(exit, async ({ client }, options: Options, id = '') => {
      const rotated = await hooks(client).regenerateSigningSecret(id);
      if (options.json) printJson(rotated);
      else process.stdout.write(`signing secret (shown once): ${rotated.signing_secret}\n`);
    }),
  );
  withClientOptions(
    group.command('deliveries').argument('<id>').description("an endpoint's delivery log, newest first"),
  )
    .option('--limit <n>', 'how many (at most 100)', '20')
    .action(
      clientAction(exit, async ({ client }, options: Options, id = '') => {
        const page = (await client.get(`${base}/${id}/deliveries`, {
          query: { limit: Number(options['limit']) },
        })) as { data: Row[] };
        if (options.json) printJson(page.data);
        else printTable(page.data, DELIVERY_COLUMNS);
      }),
    );
  withClientOptions(
    group
      .command('redeliver')
      .argument('<id>')
      .argument('<delivery_id>')
      .description("send a delivery's event again, now"),
  ).action(
    clientAction(exit, async ({ client }, options: Options, id = '', deliveryId = '') => {
      const queued = (await client.post(`${base}/${id}/deliveries/${deliveryId}/redeliver`)) as Row;
      if (options.json) printJson(queued);
      else process.stdout.write(`queued redelivery ${String(queued['id'])} of ${deliveryId}\n`);
    }),
  );
  return group;
}
