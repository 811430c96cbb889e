import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import type { ExitCode } from './client/resource-commands.js';

/** The commands that run the server's own parts on this machine. */
export function registerServerCommands(program: Command, exit: ExitCode): void {
  program
    .command('serve')
    .description(
      'start the API server, harness and sandboxes (SQLite in PADDOCK_DATA_DIR, or PADDOCK_DATABASE_URL)',
    )
    .option('--port <n>', 'port to listen on (PADDOCK_PORT, default 4000)')
    .option('--host <addr>', 'address to bind (PADDOCK_HOST, default 127.0.0.1)')
    .option(
      '--no-harness',
      'serve the API only; `paddock worker` nodes drive sessions (PADDOCK_HARNESS=false)',
    )
    .action(async (options: { port?: string; host?: string; harness: boolean }) => {
      const config = loadConfig();
      if (options.port !== undefined) {
        const port = Number(options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new Error(`--port: invalid port ${options.port}`);
        config.port = port;
      }
      if (options.host !== undefined) config.host = options.host;
      if (!options.harness) config.harness = false;
      (await import('./node-roles.js')).checkApiOnlyNode(config);
      // Each command loads only its own modules: `serve` starts faster without the others.
      await (await import('./serve.js')).runServe(config);
      exit.value = -1;
    });
  program
    .command('worker')
    .description(
      'drive sessions (harness and sandboxes) for API nodes without serving the API; needs PADDOCK_DATABASE_URL=postgres://… and the API nodes’ PADDOCK_SECRET_KEY',
    )
    .action(async () => {
      await (await import('./worker.js')).runWorker(loadConfig());
      exit.value = -1;
    });
  program
    .command('doctor')
    .description(
      'check this machine and configuration: database, model upstreams (probed), sandbox; exit 1 on failures',
    )
    .action(async () => {
      exit.value = await (await import('./doctor.js')).runDoctor(loadConfig());
    });
  program
    .command('demo')
    .description(
      'start a server with the scripted model and run the guide’s flow end to end (no key, no network)',
    )
    .option('--keep', 'keep the server running after the demo (prints its URL and key)')
    .action(async (options: { keep?: boolean }) => {
      exit.value = await (await import('./demo.js')).runDemo(loadConfig(), { keep: options.keep === true });
    });
}
