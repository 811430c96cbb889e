import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import type { AppContext } from './api/context.js';
import type { PaddockConfig } from './config/config.js';
import { AgentService } from './core/agents/agent-service.js';
import { ApiKeyService } from './core/api-keys.js';
import { type Clock, systemClock } from './core/clock.js';
import { EnvironmentService } from './core/environments/environment-service.js';
import { FileService } from './core/files/file-service.js';
import { createIdGenerator, type IdGenerator } from './core/ids.js';
import type { Store } from './core/ports/store.js';
import { CredentialService } from './core/vaults/credential-service.js';
import { SecretBox } from './core/vaults/secret-box.js';
import { loadSecretKey } from './core/vaults/secret-key.js';
import { VaultService } from './core/vaults/vault-service.js';
import { openStore } from './store/open-store.js';

export interface PaddockOptions {
  config: PaddockConfig;
  /** Injected for tests; otherwise opened from config. */
  store?: Store;
  clock?: Clock;
  ids?: IdGenerator;
  logger?: boolean;
}

export interface Paddock {
  app: FastifyInstance;
  context: AppContext;
  store: Store;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** The composition root: the one place adapters are chosen and wired to the core. */
export async function createPaddock(options: PaddockOptions): Promise<Paddock> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIdGenerator();
  const store = options.store ?? (await openStore(config));
  const credentials = new CredentialService(store, ids, clock, new SecretBox(loadSecretKey(config)));
  const context: AppContext = {
    apiKeys: new ApiKeyService(store, ids, clock, config.adminKey),
    agents: new AgentService(store, ids, clock),
    environments: new EnvironmentService(store, ids, clock),
    vaults: new VaultService(store, ids, clock, credentials),
    credentials,
    files: new FileService(store, ids, clock, config),
  };
  const app = buildApp(context, { logger: options.logger ?? false });
  let closed = false;
  return {
    app,
    context,
    store,
    async listen() {
      await app.listen({ port: config.port, host: config.host });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await store.close();
    },
  };
}
