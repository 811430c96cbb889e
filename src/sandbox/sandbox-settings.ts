import type { SandboxConfig } from '../config/config.js';

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
}
