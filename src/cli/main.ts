import { Command, CommanderError } from 'commander';
import { loadConfig } from '../config/config.js';
import { registerDeploymentCommands } from './client/deployment-commands.js';
import { registerResourceCommands } from './client/resource-commands.js';
import { registerSessionCommands } from './client/session-run.js';
import { registerWebhookCommands } from './client/webhook-commands.js';
import { registerServerCommands } from './server-commands.js';
import { paddockVersion } from './version.js';

/**
 * Commands that parse their own arguments (they predate the CLI parser):
 * called directly, except for `--help`, which the parser answers.
 */
const SELF_PARSING: Record<string, (args: string[]) => Promise<number>> = {
  keys: async (args) => (await import('./keys.js')).runKeys(args),
  'env-key': async (args) => (await import('./env-keys.js')).runEnvironmentKeys(args),
  sandbox: async (args) => (await import('./sandbox-prepare.js')).runSandbox(loadConfig(), args),
  'mock-model': async (args) => {
    await (await import('./mock-model.js')).runMockModel(args);
    return -1;
  },
};

/** The whole command line; resolves to the exit code, or -1 for a server that keeps running. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const selfParsing = command === undefined ? undefined : SELF_PARSING[command];
  if (selfParsing && !rest.includes('--help') && !rest.includes('-h')) return selfParsing(rest);

  const exit = { value: 0 };
  const program = new Command('paddock')
    .description('Paddock: a self-hostable Managed Agents server, and a client for it')
    .version(paddockVersion(), '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError()
    .exitOverride();
  registerServerCommands(program, exit);
  const groups = registerResourceCommands(program, exit);
  registerSessionCommands(program, groups.get('sessions'), exit);
  registerWebhookCommands(program, exit);
  registerDeploymentCommands(program, exit);
  program
    .command('keys')
    .description('API keys: create <name> | list | revoke <id> (over HTTP, --base-url, --api-key)');
  program
    .command('env-key')
    .description('create <environment_id> [name]: a self-hosted worker’s environment key (over HTTP)');
  program.command('sandbox').description('prepare: build the cached sandbox rootfs (root, debootstrap)');
  program
    .command('mock-model')
    .description('start the scripted model server (test mode): --port, --host, --script FILE');
  if (argv.length === 0) {
    process.stdout.write(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return exit.value;
}
