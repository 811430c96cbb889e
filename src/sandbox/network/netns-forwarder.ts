import { type ChildProcess, spawn } from 'node:child_process';
import { HOST_PATH } from '../bwrap/bwrap-host.js';

/** Where a `limited` sandbox finds its proxy: loopback inside its own network namespace. */
export const SANDBOX_PROXY_PORT = 3128;

// Runs on the host, with only its network namespace switched to the sandbox's: it listens on the
// sandbox's loopback and relays each connection to the proxy's unix socket (a filesystem path,
// which no network namespace hides). It exits when the server closes its stdin or dies.
const FORWARDER = `
const net = require('node:net');
const [socketPath, port] = process.argv.slice(1);
const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream); upstream.pipe(client);
  for (const [a, b] of [[client, upstream], [upstream, client]]) {
    a.on('error', () => b.destroy()); a.on('close', () => b.destroy());
  }
});
server.on('error', (error) => { console.error(error.message); process.exit(1); });
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\\n'));
process.stdin.on('end', () => process.exit(0)); process.stdin.on('error', () => process.exit(0));
process.stdin.resume();`;

/**
 * Starts the relay inside the network namespace of `sandboxPid` (needs root:
 * the namespace belongs to the sandbox's user namespace). A `limited` sandbox
 * has no route anywhere, so this relay is its only way out.
 */
export async function startForwarder(sandboxPid: number, socketPath: string): Promise<{ stop(): void }> {
  const child = spawn(
    'nsenter',
    [
      `--target=${sandboxPid}`,
      '--net',
      '--',
      process.execPath,
      '-e',
      FORWARDER,
      socketPath,
      String(SANDBOX_PROXY_PORT),
    ],
    { env: { PATH: HOST_PATH }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  await ready(child);
  return {
    stop() {
      child.stdin?.end();
      child.kill('SIGKILL');
    },
  };
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => fail('did not start within 10 s'), 10_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`egress relay: ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code) => fail(`exited with ${code}`));
  });
}
