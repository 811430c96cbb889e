import { createHash } from 'node:crypto';
import { lstat, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxSpec } from '../../core/ports/sandbox.js';
import { BodyBudget } from './body-budget.js';
import { EgressPolicy } from './egress-policy.js';
import { type EgressNet, EgressProxy } from './egress-proxy.js';
import type { NatLink } from './nat-link.js';
import { SANDBOX_PROXY_PORT, startForwarder } from './netns-forwarder.js';
import type { NetnsRef } from './netns-ref.js';
import type { SandboxNat } from './sandbox-nat.js';
import { secretEgress } from './secret-egress.js';

/** Root-only and short: unix socket paths are limited to 108 bytes, data dirs are not. */
const ROOT_SOCKET_DIR = '/run/paddock-egress';
/** `<24 hex>.sock` plus the separating slash. */
const SOCKET_NAME_LENGTH = 30;
/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;
const PROXY_URL = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`;

/** A sandbox's way out: proxy variables for its processes, and the relay (and NAT link) to start once it runs. */
export interface SandboxEgress {
  env: Record<string, string>;
  /** Host files bound read-only into the sandbox: host path, sandbox path. */
  binds: Array<[string, string]>;
  /** Starts the relay (and, for `unrestricted`, the NAT link) inside the running sandbox's network namespace. */
  attach(netns: NetnsRef): Promise<void>;
  close(): Promise<void>;
}

export interface EgressOptions {
  dataDir: string;
  allowPrivateNetworks: boolean;
  /** Test-only: resolve and dial without real DNS or real addresses. */
  net?: EgressNet | undefined;
  /** NAT for `unrestricted` sandboxes; undefined where the host cannot do it (proxy only). */
  nat?: SandboxNat | undefined;
  /** XDG_RUNTIME_DIR: where a non-root server keeps its proxy sockets (else the temporary directory). */
  runtimeDir?: string | undefined;
  /** Root filesystem layers, top first (for the CA bundle of sandboxes with secrets). */
  rootfsLayers?: string[] | undefined;
  /** PEM certificates trusted for upstream servers of intercepted TLS (PADDOCK_EGRESS_EXTRA_CA_FILE). */
  extraCa?: string | undefined;
  /** Bytes of request bodies the sandbox may have buffered at once for substitution (PADDOCK_EGRESS_BODY_BUDGET_MB). */
  bodyBudgetBytes?: number | undefined;
  log: (message: string) => void;
}

/** When a caller gives no budget (package builds carry no secrets, tests): 64 MiB, the config default. */
const DEFAULT_BODY_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * Both policies get the proxy (HTTP_PROXY and friends): `limited` to its
 * allow-list, `unrestricted` to any public address. `unrestricted` also gets
 * NAT (any protocol, public addresses only; nat-rules.ts) where the host can
 * do it. A `limited` sandbox has no route at all: the proxy is its only way
 * out. Servers not running as root get the proxy for both policies (no NAT:
 * sandbox-nat.ts); their relay joins the sandbox's user namespace, which the
 * server's uid owns (netns-ref.ts). Secrets are substituted by the proxy
 * (secret-egress.ts), so only for traffic that goes through it.
 */
export async function sandboxEgress(
  spec: SandboxSpec,
  options: EgressOptions,
): Promise<SandboxEgress | undefined> {
  const socketDir = await egressSocketDir(options.runtimeDir);
  const name = egressSocketName(options.dataDir, spec.sessionId);
  const secrets = await secretEgress(spec.secrets, {
    dataDir: options.dataDir,
    // A non-root server's sandbox is its own uid: its bundles can stay in its private directory.
    bundleDir: process.getuid?.() === 0 ? undefined : join(socketDir, 'ca-bundles'),
    rootfsLayers: options.rootfsLayers ?? [],
    extraCa: options.extraCa,
    log: options.log,
  });
  const proxy = await EgressProxy.listen(join(socketDir, `${name}.sock`), {
    policy: new EgressPolicy(spec.network),
    allowPrivateNetworks: options.allowPrivateNetworks,
    net: options.net,
    log: options.log,
    secrets: spec.secrets,
    interceptor: secrets.interceptor,
    budget: new BodyBudget(options.bodyBudgetBytes ?? DEFAULT_BODY_BUDGET_BYTES),
  });
  let relay: { stop(): void } | undefined;
  let link: NatLink | undefined;
  const nat = spec.network.type === 'unrestricted' ? options.nat : undefined;
  return {
    binds: [...(nat ? [[nat.resolvConf, '/etc/resolv.conf'] as [string, string]] : []), ...secrets.binds],
    env: {
      ...secrets.env,
      http_proxy: PROXY_URL,
      https_proxy: PROXY_URL,
      HTTP_PROXY: PROXY_URL,
      HTTPS_PROXY: PROXY_URL,
      no_proxy: 'localhost,127.0.0.1,::1',
      NO_PROXY: 'localhost,127.0.0.1,::1',
    },
    async attach(netns) {
      // Independent: the relay listens on the sandbox's loopback, the link adds its eth0.
      const [started, linked] = await Promise.allSettled([
        startForwarder(netns, proxy.socketPath),
        nat?.attach(netns),
      ]);
      // Kept even when the other one failed, so close() (the caller's cleanup) ends it.
      if (started.status === 'fulfilled') relay = started.value;
      if (linked.status === 'fulfilled') link = linked.value;
      for (const outcome of [started, linked]) if (outcome.status === 'rejected') throw outcome.reason;
    },
    async close() {
      relay?.stop();
      await link?.release();
      await proxy.close();
    },
  };
}

/** A session's proxy socket is `<socket dir>/<this>.sock`: per data dir, so servers sharing the dir never collide. */
export function egressSocketName(dataDir: string, sessionId: string): string {
  return createHash('sha256').update(`${dataDir}\0${sessionId}`).digest('hex').slice(0, 24);
}

/**
 * The directory of this server's proxy sockets. Root: /run/paddock-egress. Otherwise
 * `$XDG_RUNTIME_DIR/paddock-egress`, or `<tmpdir>/paddock-egress-<uid>` when that is unset or
 * too long for a socket path; an existing directory must be the server's own and private.
 */
export async function egressSocketDir(
  runtimeDir: string | undefined,
  uid = process.getuid?.() ?? -1,
): Promise<string> {
  if (uid === 0) {
    await mkdir(ROOT_SOCKET_DIR, { recursive: true, mode: 0o700 });
    return ROOT_SOCKET_DIR;
  }
  const candidates = [
    ...(runtimeDir ? [join(runtimeDir, 'paddock-egress')] : []),
    join(tmpdir(), `paddock-egress-${uid}`),
  ];
  const dir = candidates.find((path) => Buffer.byteLength(path) + SOCKET_NAME_LENGTH <= MAX_SOCKET_PATH);
  if (!dir)
    throw new Error(`egress socket directory: ${candidates.join(', ')} too long for a unix socket path`);
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  // lstat: a symlink planted by another user is refused, not followed.
  const stat = await lstat(dir);
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0)
    throw new Error(
      `egress socket directory ${dir} must be a directory owned by uid ${uid} with mode 0700 (found ${
        stat.isDirectory() ? `uid ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)}` : 'not a directory'
      })`,
    );
  return dir;
}
