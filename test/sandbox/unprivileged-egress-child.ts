// Run by unprivileged-egress.test.ts as a non-root user (not a test file itself): a bwrap driver
// in a non-root server, a `limited` sandbox, and curl through the egress proxy. Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import type { SandboxSpec } from '../../src/core/ports/sandbox.js';
import { secretPlaceholder } from '../../src/core/vaults/sandbox-secrets.js';
import { createBwrapDriver } from '../../src/sandbox/bwrap/bwrap-driver.js';
import { HOST_PATH } from '../../src/sandbox/bwrap/bwrap-host.js';
import type { EgressNet } from '../../src/sandbox/network/egress-proxy.js';
import { egressSocketDir } from '../../src/sandbox/network/sandbox-egress.js';
import { textOf, tool } from './drivers.js';

// Only loopback traffic: names resolve to TEST-NET-3, which the dialer rewrites to the local server.
const TEST_NET_ADDRESS = '203.0.113.7';
const [dataDir, rootfsDir, runtimeDir] = process.argv.slice(2) as [string, string, string];
const print = (result: object) => process.stdout.write(`${JSON.stringify(result)}\n`);

try {
  execFileSync('bwrap', ['--unshare-user', '--unshare-net', '--ro-bind', '/', '/', 'true'], {
    env: { PATH: HOST_PATH },
    stdio: 'pipe',
  });
} catch (error) {
  print({ skip: `unprivileged user namespaces are unavailable: ${(error as Error).message.trim()}` });
  process.exit(0);
}

const server = createServer((req, res) =>
  res.end(req.url === '/auth' ? `AUTH ${req.headers.authorization ?? ''}` : 'HELLO-FROM-ALLOWED'),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;
const dialed: string[] = [];
const net: EgressNet = {
  resolve: async () => [TEST_NET_ADDRESS],
  dial: (address) => {
    dialed.push(address);
    return connect({ host: '127.0.0.1', port });
  },
};
const config = loadConfig({
  PADDOCK_DATA_DIR: await mkdtemp(join(dataDir, 'server-')),
  PADDOCK_SANDBOX: 'bwrap',
  PADDOCK_ROOTFS_DIR: rootfsDir,
  PADDOCK_SANDBOX_IDLE_MS: '0',
  // The cached rootfs was built (as root) for the default sandbox uid; its path depends on it.
  PADDOCK_SANDBOX_UID: '100000',
  XDG_RUNTIME_DIR: runtimeDir,
});
const logs: string[] = [];
const driver = await createBwrapDriver(config, { log: (line) => logs.push(line), egressNet: net });
const placeholder = secretPlaceholder('sesn_unprivileged', 'cred_token');
const spec: SandboxSpec = {
  sessionId: 'sesn_unprivileged',
  environmentId: 'env_test',
  network: { type: 'limited', allowed_hosts: ['allowed.test:8080'] },
  secrets: [
    { name: 'MY_TOKEN', placeholder, value: 'sk-REAL', header: true, body: false, hosts: ['api.other.test'] },
  ],
};
const bash = async (command: string) => textOf(await tool(await driver.acquire(spec), 'bash', { command }));
const curl = (args: string) => bash(`curl -sS --max-time 10 -o - -w ' %{http_code}' ${args} 2>&1; true`);
try {
  const socketDir = await egressSocketDir(runtimeDir);
  print({
    uid: process.getuid?.(),
    allowed: await curl('http://allowed.test:8080/'),
    allowedConnect: await curl('-p http://allowed.test:8080/'),
    disallowed: await curl('http://evil.test:8080/'),
    placeholder: (await bash('echo "$MY_TOKEN"')).trim(),
    confinement: await bash(
      'grep -E \'^(CapEff|NoNewPrivs|Seccomp):\' /proc/self/status; unshare -U true 2>/dev/null; echo "unshare=$?"',
    ),
    expectedPlaceholder: placeholder,
    sentAuthorization: await curl(`-H "Authorization: Bearer $MY_TOKEN" http://allowed.test:8080/auth`),
    dialed,
    socketDir,
    socketDirMode: (statSync(socketDir).mode & 0o777).toString(8),
    logs,
  });
} catch (error) {
  print({ error: (error as Error).stack, logs });
} finally {
  await driver.close();
  server.close();
}
