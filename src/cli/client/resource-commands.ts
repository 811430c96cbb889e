import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { toFile } from '@anthropic-ai/sdk';
import { type Command, Option } from 'commander';
import { collect, readBodyFile } from './body-file.js';
import { type ClientOptions, connect, describeClientError, withClientOptions } from './connect.js';
import { printJson, printRecord, printTable } from './output.js';
import { RESOURCE_FAMILIES, type ResourceFamily } from './resource-families.js';

const article = (noun: string) => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);

type Options = ClientOptions & Record<string, unknown>;
/** Sets the process's exit code from a command (main returns it). */
export type ExitCode = { value: number };

/**
 * Runs one client action: connects with the command's flags, and turns an
 * SDK error into one line naming the URL tried, on stderr, with exit code 1.
 */
export function clientAction(
  exit: ExitCode,
  action: (connection: ReturnType<typeof connect>, options: Options, ...args: string[]) => Promise<void>,
) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.opts<Options>();
    const positionals = args.slice(0, -2) as string[];
    const connection = connect(options);
    try {
      await action(connection, options, ...positionals);
    } catch (error) {
      process.stderr.write(`paddock: ${describeClientError(error, connection.baseUrl)}\n`);
      exit.value = 1;
    }
  };
}

function show(value: unknown, options: Options, family: ResourceFamily): void {
  if (options.json) printJson(value);
  else if (family.columns.length > 0) printRecord(value as Record<string, unknown>);
}

function addFlags(command: Command, family: ResourceFamily): Command {
  for (const flag of family.flags) {
    if (flag.list) command.option(flag.flags, flag.description, collect);
    else command.addOption(new Option(flag.flags, flag.description));
  }
  return command.option('-f, --file <path>', 'request body from a YAML or JSON file (flags override it)');
}

function bodyOf(family: ResourceFamily, options: Options, creating: boolean): Record<string, unknown> {
  const file = typeof options['file'] === 'string' ? readBodyFile(options['file']) : {};
  // Create-time defaults (the toolset, unrestricted networking) apply only without a file: a file says it all.
  return { ...file, ...family.body({ ...options, create: creating && options['file'] === undefined }) };
}

/** `paddock <family> create|list|get|update|archive|delete`, over the official SDK. */
function registerFamily(program: Command, family: ResourceFamily, exit: ExitCode): Command {
  const group = program.command(family.name).description(`manage ${family.name} on a Paddock server`);
  const api = (connection: ReturnType<typeof connect>) => family.api(connection.client);

  addFlags(
    withClientOptions(group.command('create').description(`create ${article(family.singular)}`)),
    family,
  ).action(
    clientAction(exit, async (connection, options) => {
      const created = (await api(connection).create(bodyOf(family, options, true))) as { id: string };
      if (options.json) printJson(created);
      else process.stdout.write(`created ${family.singular} ${created.id}\n`);
    }),
  );
  withClientOptions(group.command('list').description(`list ${family.name}`))
    .option('--limit <n>', 'how many (at most 100)', '20')
    .action(
      clientAction(exit, async (connection, options) => {
        const listed = await api(connection).list(Number(options['limit']));
        if (options.json) printJson(listed);
        else printTable(listed, family.columns);
      }),
    );
  withClientOptions(group.command('get').argument('<id>').description(`show one ${family.singular}`)).action(
    clientAction(exit, async (connection, options, id = '') =>
      show(await api(connection).retrieve(id), options, family),
    ),
  );
  const calls = family.api(undefined as never);
  if (calls.update)
    addFlags(
      withClientOptions(
        group
          .command('update')
          .argument('<id>')
          .description(`update ${article(family.singular)}`),
      ),
      family,
    ).action(
      clientAction(exit, async (connection, options, id = '') => {
        const updated = await api(connection).update?.(id, bodyOf(family, options, false));
        if (options.json) printJson(updated);
        else process.stdout.write(`updated ${family.singular} ${id}\n`);
      }),
    );
  for (const verb of ['archive', 'delete'] as const)
    if (calls[verb])
      withClientOptions(
        group
          .command(verb)
          .argument('<id>')
          .description(`${verb} ${article(family.singular)}`),
      ).action(
        clientAction(exit, async (connection, options, id = '') => {
          const result = await api(connection)[verb]?.(id);
          if (options.json) printJson(result);
          else process.stdout.write(`${verb}d ${family.singular} ${id}\n`);
        }),
      );
  return group;
}

/** `paddock files upload|create|list|get|download|delete`. */
function registerFiles(program: Command, exit: ExitCode): void {
  const group = program.command('files').description('manage files on a Paddock server');
  withClientOptions(
    group.command('upload').alias('create').argument('<path>').description('upload a file'),
  ).action(
    clientAction(exit, async ({ client }, options, path = '') => {
      const file = await toFile(readFileSync(path), basename(path));
      const uploaded = await client.beta.files.upload({ file });
      if (options.json) printJson(uploaded);
      else process.stdout.write(`uploaded file ${uploaded.id} (${uploaded.size_bytes} bytes)\n`);
    }),
  );
  withClientOptions(group.command('list').description('list files'))
    .option('--limit <n>', 'how many (at most 100)', '20')
    .action(
      clientAction(exit, async ({ client }, options) => {
        const page = await client.beta.files.list({ limit: Number(options['limit']) });
        if (options.json) printJson(page.data);
        else
          printTable(page.data as unknown as Array<Record<string, unknown>>, [
            { header: 'id', value: (row) => row['id'] },
            { header: 'filename', value: (row) => row['filename'] },
            { header: 'bytes', value: (row) => row['size_bytes'] },
            { header: 'created_at', value: (row) => row['created_at'] },
          ]);
      }),
    );
  withClientOptions(group.command('get').argument('<id>').description('show a file’s metadata')).action(
    clientAction(exit, async ({ client }, options, id = '') => {
      const metadata = await client.beta.files.retrieveMetadata(id);
      if (options.json) printJson(metadata);
      else printRecord(metadata as unknown as Record<string, unknown>);
    }),
  );
  withClientOptions(group.command('delete').argument('<id>').description('delete a file')).action(
    clientAction(exit, async ({ client }, _options, id = '') => {
      await client.beta.files.delete(id);
      process.stdout.write(`deleted file ${id}\n`);
    }),
  );
}

export function registerResourceCommands(program: Command, exit: ExitCode): Map<string, Command> {
  const groups = new Map<string, Command>();
  for (const family of RESOURCE_FAMILIES) groups.set(family.name, registerFamily(program, family, exit));
  registerFiles(program, exit);
  return groups;
}
