import pg from 'pg';
import type { TestServer } from './server.js';

/** Every row of the tables that hold vault data, as one string. */
export async function dumpDatabase(server: TestServer): Promise<string> {
  if (server.database.dialect === 'postgres') {
    const client = new pg.Client({ connectionString: server.database.url });
    await client.connect();
    try {
      const resources = await client.query('select * from resources');
      const secrets = await client.query('select * from secrets');
      return JSON.stringify([resources.rows, secrets.rows]);
    } finally {
      await client.end();
    }
  }
  const { default: Database } = await import('better-sqlite3');
  const database = new Database(server.database.url.slice('sqlite:'.length), { readonly: true });
  try {
    const resources = database.prepare('select * from resources').all();
    const secrets = database.prepare('select * from secrets').all();
    return JSON.stringify([resources, secrets]);
  } finally {
    database.close();
  }
}
