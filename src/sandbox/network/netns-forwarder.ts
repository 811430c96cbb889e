import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_PATH } from '../bwrap/bwrap-host.js';
import { JOIN_CGROUPS } from '../bwrap/bwrap-launch.js';
import { spawnInHelper, startTimeout } from '../spawn-helper/spawn-helper.js';
import { type NetnsRef, nsenterNetArgs } from './netns-ref.js';

/** Where a `limited` sandbox finds its proxy: loopback inside its own network namespace. */
export const SANDBOX_PROXY_PORT = 3128;
/**
 * Connections one sandbox's relay serves at once (socat forks a process for
 * each). Beyond it socat accepts no more until one ends (they wait in the
 * listen backlog); the Node relay closes the extra ones.
 */
export const MAX_RELAY_CONNECTIONS = 32;
const RELAY_BACKLOG = 128;

// Runs on the host, with only its network namespace switched to the sandbox's (and, for a non-root
// server, its user namespace, which that server's uid owns: netns-ref.ts): it listens on the
// sandbox's loopback and relays each connection to the proxy's unix socket (a filesystem path,
// which no network namespace hides). It exits when the server closes its stdin or dies. Exported
// for its test: socat is installed wherever the suite runs, so startForwarder never picks it there.
export const NODE_RELAY_SCRIPT = `
const net = require('node:net');
const [socketPath, port, max] = process.argv.slice(1);
const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream); upstream.pipe(client);
  for (const [a, b] of [[client, upstream], [upstream, client]]) {
    a.on('error', () => b.destroy()); a.on('close', () => b.destroy());
  }
});
server.maxConnections = Number(max);
server.on('error', (error) => { console.error(error.message); process.exit(1); });
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready ' + server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0)); process.stdin.on('error', () => process.exit(0));
process.stdin.resume();`;

/**
 * Starts the relay inside the sandbox's network namespace (a root server
 * enters it directly; a non-root one through the sandbox's user namespace,
 * which an unprivileged bwrap created as the server's uid). A `limited` sandbox
 * has no route anywhere, so this relay is its only way out. socat, where
 * installed, costs about 2 MB and a few ms per sandbox; the Node fallback
 * costs about 40 MB and 50 ms. The relay runs on the host but first joins the
 * sandbox's cgroups (`netns.cgroupProcs`), so what a flood of connections
 * costs counts against the sandbox's own pids, memory and cpu limits, and it
 * serves at most MAX_RELAY_CONNECTIONS at once.
 */
export async function startForwarder(netns: NetnsRef, socketPath: string): Promise<{ stop(): void }> {
  const socat = findOnPath('socat');
  const command = socat
    ? [
        // Dies with the server (pdeathsig), like the Node relay does when its stdin closes.
        'setpriv',
        '--pdeathsig',
        'KILL',
        '--',
        socat,
        '-d',
        '-d',
        `TCP-LISTEN:${SANDBOX_PROXY_PORT},bind=127.0.0.1,reuseaddr,fork,max-children=${MAX_RELAY_CONNECTIONS},backlog=${RELAY_BACKLOG}`,
        `UNIX-CONNECT:${socketPath}`,
      ]
    : [
        process.execPath,
        '-e',
        NODE_RELAY_SCRIPT,
        socketPath,
        String(SANDBOX_PROXY_PORT),
        String(MAX_RELAY_CONNECTIONS),
      ];
  const joinThenExec = `${JOIN_CGROUPS}\nexec "$@"`;
  // Forked by the spawn helper, off the server's event loop (decision 0027): socat's pdeathsig and the
  // Node relay's stdin EOF still end it with the server, since the helper exits when the server does.
  const child = spawnInHelper(
    '/bin/sh',
    ['-c', joinThenExec, 'paddock-relay', 'nsenter', ...nsenterNetArgs(netns), '--', ...command],
    {
      env: { PATH: HOST_PATH, PADDOCK_CGROUP_PROCS: (netns.cgroupProcs ?? []).join('\n') },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  await ready(child, socat ? /listening on/ : undefined);
  return {
    stop() {
      child.stdin?.end();
      child.kill('SIGKILL');
    },
  };
}

function findOnPath(name: string): string | undefined {
  for (const dir of HOST_PATH.split(':')) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Ready when the Node relay prints a line, or when socat logs that it is listening. */
function ready(child: ChildProcess, stderrReady?: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const done = () => {
      cancelTimeout();
      child.removeAllListeners('exit');
      // Keep draining the relay's logs (socat -d -d logs every connection) without keeping them.
      child.stderr?.removeAllListeners('data');
      child.stderr?.resume();
      resolve();
    };
    const fail = (why: string) => {
      cancelTimeout();
      child.kill('SIGKILL');
      reject(new Error(`egress relay: ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    const cancelTimeout = startTimeout(child, 10_000, () => fail('did not start within 10 s'));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (stderrReady?.test(stderr)) done();
    });
    child.stdout?.once('data', done);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code) => fail(`exited with ${code}`));
  });
}
