import Anthropic from '@anthropic-ai/sdk';
import { loadConfig, type PaddockConfig } from '../../src/config/config.js';
import { createPaddock, type HarnessTuning, type Paddock } from '../../src/server.js';
import { createTestDatabase, type Dialect, type TestDatabase } from './databases.js';

export const TEST_ADMIN_KEY = 'sk-paddock-test-admin';

export interface TestServer {
  paddock: Paddock;
  database: TestDatabase;
  url: string;
  /** The official SDK, pointed at Paddock with only baseURL changed. */
  client: Anthropic;
  close(): Promise<void>;
}

/** A test server's config: port 0 on loopback, the test admin key, no real upstream. */
export function testServerConfig(dataDir: string, overrides: Partial<PaddockConfig> = {}): PaddockConfig {
  return loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      adminKey: TEST_ADMIN_KEY,
      // No real upstream in tests: a closed port fails fast. Harness tests use the scripted model.
      anthropic: { baseUrl: 'http://127.0.0.1:9', apiKey: 'test-upstream-key' },
      ...overrides,
    },
  );
}

/** A real server, in process, on port 0, over a real database of the given dialect. */
export async function startTestServer(
  dialect: Dialect,
  overrides: Partial<PaddockConfig> = {},
  harness: HarnessTuning = {},
): Promise<TestServer> {
  const database = await createTestDatabase(dialect);
  const config = testServerConfig(database.dataDir, {
    // Lets Postgres servers use LISTEN/NOTIFY, as a real deployment does.
    databaseUrl: dialect === 'postgres' ? database.url : undefined,
    ...overrides,
  });
  const paddock = await createPaddock({ config, store: await database.open(), harness });
  const url = await paddock.listen();
  const client = new Anthropic({ baseURL: url, apiKey: TEST_ADMIN_KEY, maxRetries: 0 });
  return {
    paddock,
    database,
    url,
    client,
    async close() {
      await paddock.close();
      await database.drop();
    },
  };
}
