import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxSpec } from '../../core/ports/sandbox.js';
import { EgressPolicy } from './egress-policy.js';
import { type EgressNet, EgressProxy } from './egress-proxy.js';
import { SANDBOX_PROXY_PORT, startForwarder } from './netns-forwarder.js';

/** Root-only and short: unix socket paths are limited to 108 bytes, data dirs are not. */
const SOCKET_DIR = '/run/paddock-egress';
const PROXY_URL = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`;

/** A `limited` sandbox's way out: proxy variables for its processes, and the relay to start once it runs. */
export interface SandboxEgress {
  env: Record<string, string>;
  /** Starts the relay inside the running sandbox's network namespace. */
  attach(sandboxPid: number): Promise<void>;
  close(): Promise<void>;
}

export interface EgressOptions {
  dataDir: string;
  allowPrivateNetworks: boolean;
  /** Test-only: resolve and dial without real DNS or real addresses. */
  net?: EgressNet | undefined;
  log: (message: string) => void;
}

/**
 * Both policies go through the proxy: `limited` to its allow-list,
 * `unrestricted` to any public address (HTTP/HTTPS only until NAT exists;
 * docs/decisions/0004-sandbox-bwrap.md). Undefined means no network at all
 * (the sandbox keeps only its private loopback): servers not running as root.
 */
export async function sandboxEgress(
  spec: SandboxSpec,
  options: EgressOptions,
): Promise<SandboxEgress | undefined> {
  if (process.getuid?.() !== 0) {
    options.log(
      `paddock: session ${spec.sessionId}: no sandbox network (the egress relay needs a root server)`,
    );
    return undefined;
  }
  await mkdir(SOCKET_DIR, { recursive: true, mode: 0o700 });
  const name = createHash('sha256')
    .update(`${options.dataDir}\0${spec.sessionId}`)
    .digest('hex')
    .slice(0, 24);
  const proxy = await EgressProxy.listen(join(SOCKET_DIR, `${name}.sock`), {
    policy: new EgressPolicy(spec.network),
    allowPrivateNetworks: options.allowPrivateNetworks,
    net: options.net,
    log: options.log,
  });
  let relay: { stop(): void } | undefined;
  return {
    env: {
      http_proxy: PROXY_URL,
      https_proxy: PROXY_URL,
      HTTP_PROXY: PROXY_URL,
      HTTPS_PROXY: PROXY_URL,
      no_proxy: 'localhost,127.0.0.1,::1',
      NO_PROXY: 'localhost,127.0.0.1,::1',
    },
    async attach(sandboxPid) {
      relay = await startForwarder(sandboxPid, proxy.socketPath);
    },
    async close() {
      relay?.stop();
      await proxy.close();
    },
  };
}
