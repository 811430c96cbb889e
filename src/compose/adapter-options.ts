import type { PaddockConfig } from '../config/config.js';
import type { FileBlobSettings } from '../file-blobs/create-file-blob-store.js';
import type { OutboundClientOptions } from '../outbound/outbound-fetch.js';
import type { SandboxSettings } from '../sandbox/sandbox-settings.js';

/**
 * The one place PaddockConfig is taken apart: each adapter is built from its
 * own small options, named in its own terms, and never sees the rest of the
 * configuration. A new adapter adds its mapping here.
 */

/** src/store: `postgres://…` or `sqlite:<path>`, else SQLite in the data dir. */
export const storeOptions = (config: PaddockConfig) => ({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
});

/** src/bus: LISTEN/NOTIFY needs its own connection string (a Postgres store may be injected). */
export const busDatabaseUrl = (config: PaddockConfig) => config.databaseUrl;

/** src/file-blobs: where Files API bytes live. */
export const fileBlobOptions = (config: PaddockConfig): FileBlobSettings => ({
  fileStorage: config.fileStorage,
  dataDir: config.dataDir,
  s3: config.s3,
});

/** src/providers: upstreams and which model goes where. */
export const modelRouterOptions = (config: PaddockConfig) => ({
  anthropic: config.anthropic,
  openai: config.openai,
  modelRoutes: config.modelRoutes,
});

/** src/sandbox: the drivers' settings (PADDOCK_SANDBOX*, the data dir, the upload ceiling). */
export const sandboxSettings = (config: PaddockConfig): SandboxSettings => ({
  sandboxDriver: config.sandboxDriver,
  dataDir: config.dataDir,
  maxUploadBytes: config.maxUploadBytes,
  allowPrivateNetworks: config.allowPrivateNetworks,
  sandbox: config.sandbox,
  sandboxPool: config.sandboxPool,
  minFreeDiskBytes: config.minFreeDiskBytes,
  freeDiskBytes: config.freeDiskBytes,
});

/** src/outbound: one address policy; `allowedPrivateHosts` differs per use. */
export const outboundOptions = (
  config: PaddockConfig,
  allowedPrivateHosts: readonly string[],
): OutboundClientOptions => ({ allowPrivate: config.allowPrivateNetworks, allowedPrivateHosts });

/** The harness's knobs that come from configuration (tests override them with HarnessTuning). */
export const harnessSettings = (config: PaddockConfig) => ({
  contextWindowTokens: config.contextWindowTokens,
  leaseTtlMs: config.leaseTtlMs,
  fleet: config.fleet,
  maxLimits: config.sandbox.maxLimits,
});
