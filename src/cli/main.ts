import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';

const USAGE = `Usage: paddock <command> [options]

Commands:
  serve              Start the API server (SQLite in PADDOCK_DATA_DIR, or PADDOCK_DATABASE_URL)
    --port <n>       Port to listen on (PADDOCK_PORT, default 4000)
    --host <addr>    Address to bind (PADDOCK_HOST, default 127.0.0.1)
    --no-harness     Serve the API only; \`paddock worker\` nodes drive sessions (PADDOCK_HARNESS=false)
  worker             Drive sessions (harness and sandboxes) for API nodes, without serving the API;
                     needs PADDOCK_DATABASE_URL=postgres://… and the API nodes' PADDOCK_SECRET_KEY
  keys create <name> Create an API key and print it once
  keys list          List API keys (ids and names, never the keys)
  keys revoke <id>   Delete an API key
  env-key create <environment_id> [name]
                     Create a self-hosted worker's environment key and print it once
    keys and env-key ask a running server over HTTP:
    --base-url <url> The server (PADDOCK_BASE_URL, default http://127.0.0.1:$PADDOCK_PORT)
    --api-key <key>  An API key (PADDOCK_API_KEY, else PADDOCK_ADMIN_KEY)
  sandbox prepare    Build the cached sandbox rootfs (root, debootstrap; PADDOCK_ROOTFS_DIR)
  doctor             Check this machine and configuration: database, upstreams, sandbox
                     (bubblewrap, namespaces, cgroups, rootfs, network, NAT); exit 1 on failures
  mock-model         Start the scripted model server (test mode, see docs/test-mode.md)
    --port <n>       Port to listen on (default 4010)
    --host <addr>    Address to bind (default 127.0.0.1)
    --script <file>  JSON file of scripted turns to play
  help               Show this text
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({
        args: rest,
        options: { port: { type: 'string' }, host: { type: 'string' }, 'no-harness': { type: 'boolean' } },
        strict: true,
      });
      const config = loadConfig();
      if (values.port !== undefined) {
        const port = Number(values.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new Error(`--port: invalid port ${values.port}`);
        config.port = port;
      }
      if (values.host !== undefined) config.host = values.host;
      if (values['no-harness']) config.harness = false;
      (await import('./node-roles.js')).checkApiOnlyNode(config);
      // Each command loads only its own modules: `serve` starts faster without the others.
      const { runServe } = await import('./serve.js');
      await runServe(config);
      return -1;
    }
    case 'worker':
      parseArgs({ args: rest, options: {}, strict: true });
      await (await import('./worker.js')).runWorker(loadConfig());
      return -1;
    // Client commands: they talk to a running server over HTTP (src/cli/http-client.ts).
    case 'keys':
      return (await import('./keys.js')).runKeys(rest);
    case 'env-key':
      return (await import('./env-keys.js')).runEnvironmentKeys(rest);
    case 'doctor':
      parseArgs({ args: rest, options: {}, strict: true });
      return (await import('./doctor.js')).runDoctor(loadConfig());
    case 'sandbox':
      return (await import('./sandbox-prepare.js')).runSandbox(loadConfig(), rest);
    case 'mock-model':
      await (await import('./mock-model.js')).runMockModel(rest);
      return -1;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`paddock: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}
