import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Env } from './config.js';
import { nonEmpty, parsePositive, parsePositiveInteger } from './parse-env.js';

/** Settings for src/sandbox drivers (see docs/decisions/0004-sandbox-bwrap.md). */
export interface SandboxConfig {
  /** Cache of the base root filesystem (PADDOCK_ROOTFS_DIR); undefined means `<dataDir>/rootfs`. */
  rootfsDir: string | undefined;
  /** Debian mirror for debootstrap (PADDOCK_DEBIAN_MIRROR). */
  debianMirror: string;
  /** Stop a session's sandbox after this long without tool calls (PADDOCK_SANDBOX_IDLE_MS). */
  idleTimeoutMs: number;
  /** Default limits (PADDOCK_SANDBOX_MEMORY_MB, _PIDS, _CPUS, _DISK_MB, _SHELLS). */
  limits: { memoryBytes: number; pids: number; cpus: number; diskBytes: number; shells: number };
  /**
   * The most an environment may ask for through its `paddock.memory_mb`, `paddock.pids`,
   * `paddock.cpus`, `paddock.disk_mb` and `paddock.shells` metadata (PADDOCK_SANDBOX_MAX_MEMORY_MB,
   * _MAX_PIDS, _MAX_CPUS, _MAX_DISK_MB, _MAX_SHELLS).
   */
  maxLimits: { memoryBytes: number; pids: number; cpus: number; diskBytes: number; shells: number };
  /** Host uid/gid the sandbox's root maps to when the server runs as root (PADDOCK_SANDBOX_UID). */
  hostUid: number;
  /** An environment package-layer build is killed and fails after this long (PADDOCK_LAYER_BUILD_TIMEOUT_MS). */
  layerBuildTimeoutMs: number;
  /** Where `github_repository` resources are cloned from (PADDOCK_GITHUB_BASE_URL); default https://github.com. */
  githubBaseUrl: string;
  /**
   * PADDOCK_GITHUB_BASE_URL was set: the operator chose the base, so its address is not checked.
   * The default base's address is checked by the address policy before each clone (docs/security.md).
   */
  githubBaseUrlConfigured: boolean;
  /**
   * PEM certificates the egress proxy trusts, besides Node's bundled CAs, for
   * upstream servers of intercepted TLS (the file at PADDOCK_EGRESS_EXTRA_CA_FILE).
   */
  egressExtraCa?: string | undefined;
  /**
   * Bytes of request bodies one sandbox may have buffered at once for secret substitution
   * (PADDOCK_EGRESS_BODY_BUDGET_MB, default 64); requests past it get a 503 from the proxy.
   */
  egressBodyBudgetBytes: number;
  /**
   * Bytes of outputs one session may store from /mnt/session/outputs, counted on bytes actually
   * stored (PADDOCK_SESSION_OUTPUT_MAX_MB, default 1024); collection stops with an event past it.
   */
  sessionOutputMaxBytes: number;
  /** NAT for `unrestricted` sandboxes (PADDOCK_SANDBOX_NAT, default true; needs root, nft and ip). */
  nat: boolean;
  /** IPv4 range sandbox addresses come from (PADDOCK_SANDBOX_SUBNET, default 10.88.0.0/16). */
  subnet: string;
  /** Resolvers the sandbox DNS relay asks (PADDOCK_SANDBOX_DNS, comma-separated); default: the host's. */
  dnsServers: string | undefined;
  /**
   * The user's runtime directory (XDG_RUNTIME_DIR): a non-root server keeps its egress proxy
   * sockets there, else under the system temporary directory. A root server uses /run.
   */
  runtimeDir?: string | undefined;
}

/** The sandbox drivers' settings from PADDOCK_SANDBOX_*, PADDOCK_EGRESS_* and their kin (README's table). */
export function parseSandboxConfig(env: Env): SandboxConfig {
  return {
    rootfsDir: nonEmpty(env['PADDOCK_ROOTFS_DIR']),
    debianMirror: env['PADDOCK_DEBIAN_MIRROR'] ?? 'http://deb.debian.org/debian',
    idleTimeoutMs: parsePositive(env, 'PADDOCK_SANDBOX_IDLE_MS', 10 * 60_000),
    limits: {
      memoryBytes: parsePositive(env, 'PADDOCK_SANDBOX_MEMORY_MB', 4096) * 1024 * 1024,
      pids: parsePositive(env, 'PADDOCK_SANDBOX_PIDS', 1024),
      cpus: parsePositive(env, 'PADDOCK_SANDBOX_CPUS', 2),
      diskBytes: parsePositive(env, 'PADDOCK_SANDBOX_DISK_MB', 10_240) * 1024 * 1024,
      shells: shellCount(env, 'PADDOCK_SANDBOX_SHELLS', 32),
    },
    maxLimits: {
      memoryBytes: parsePositive(env, 'PADDOCK_SANDBOX_MAX_MEMORY_MB', 16_384) * 1024 * 1024,
      pids: parsePositive(env, 'PADDOCK_SANDBOX_MAX_PIDS', 4096),
      cpus: parsePositive(env, 'PADDOCK_SANDBOX_MAX_CPUS', availableParallelism()),
      diskBytes: parsePositive(env, 'PADDOCK_SANDBOX_MAX_DISK_MB', 102_400) * 1024 * 1024,
      shells: shellCount(env, 'PADDOCK_SANDBOX_MAX_SHELLS', 128),
    },
    hostUid: parsePositive(env, 'PADDOCK_SANDBOX_UID', 100_000),
    layerBuildTimeoutMs: parsePositiveInteger(
      'PADDOCK_LAYER_BUILD_TIMEOUT_MS',
      nonEmpty(env['PADDOCK_LAYER_BUILD_TIMEOUT_MS']) ?? String(15 * 60_000),
    ),
    githubBaseUrl: nonEmpty(env['PADDOCK_GITHUB_BASE_URL']) ?? 'https://github.com',
    githubBaseUrlConfigured: nonEmpty(env['PADDOCK_GITHUB_BASE_URL']) !== undefined,
    egressExtraCa: loadCaFile(nonEmpty(env['PADDOCK_EGRESS_EXTRA_CA_FILE'])),
    egressBodyBudgetBytes: parsePositive(env, 'PADDOCK_EGRESS_BODY_BUDGET_MB', 64) * 1024 * 1024,
    sessionOutputMaxBytes: parsePositive(env, 'PADDOCK_SESSION_OUTPUT_MAX_MB', 1024) * 1024 * 1024,
    nat: env['PADDOCK_SANDBOX_NAT'] !== 'false',
    subnet: nonEmpty(env['PADDOCK_SANDBOX_SUBNET']) ?? '10.88.0.0/16',
    dnsServers: nonEmpty(env['PADDOCK_SANDBOX_DNS']),
    runtimeDir: nonEmpty(env['XDG_RUNTIME_DIR']),
  };
}

/** Shells per sandbox: a whole number of at least 1 (the primary thread's). */
function shellCount(env: Env, name: string, fallback: number): number {
  return parsePositiveInteger(name, nonEmpty(env[name]) ?? String(fallback));
}

function loadCaFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `PADDOCK_EGRESS_EXTRA_CA_FILE (${path}): ${error instanceof Error ? error.message : error}`,
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error(`PADDOCK_EGRESS_EXTRA_CA_FILE (${path}): holds no PEM certificate`);
  return text;
}
