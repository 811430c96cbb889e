import type { SandboxConfig } from '../config/config.js';
import type { SandboxPoolConfig } from '../config/sandbox-pool.js';
import type { FreeDiskReader } from '../core/storage/low-disk-guard.js';

/**
 * What the sandbox drivers need from the server's configuration, and nothing
 * else (the composition root maps it: src/compose/adapter-options.ts).
 */
export interface SandboxSettings {
  /** `bwrap` (the default) or `process` (PADDOCK_SANDBOX). */
  sandboxDriver: string | undefined;
  /** Sandboxes' layers, state and egress sockets live under it. */
  dataDir: string;
  /** Files a sandbox writes to its outputs directory are collected up to this size. */
  maxUploadBytes: number;
  /** Egress may reach loopback and private ranges (PADDOCK_ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks: boolean;
  sandbox: SandboxConfig;
  /** The warm pool (PADDOCK_SANDBOX_POOL_*); absent: no pool. */
  sandboxPool?: SandboxPoolConfig | undefined;
  /** New sandboxes are refused below this much free space on the data dir's disk (PADDOCK_MIN_FREE_DISK_MB). */
  minFreeDiskBytes: number;
  /** Test-only: how free space is read (default statfs of the data dir). */
  freeDiskBytes?: FreeDiskReader | undefined;
}
