import type { Kysely } from 'kysely';
import type { FileChunkRepository } from '../../core/ports/store.js';
import type { Database } from './schema.js';

export class KyselyFileChunkRepository implements FileChunkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(fileId: string, index: number, bytes: Buffer): Promise<void> {
    await this.db.insertInto('file_chunks').values({ file_id: fileId, idx: index, bytes }).execute();
  }

  async get(fileId: string, index: number): Promise<Buffer | undefined> {
    const row = await this.db
      .selectFrom('file_chunks')
      .select('bytes')
      .where('file_id', '=', fileId)
      .where('idx', '=', index)
      .executeTakeFirst();
    return row?.bytes;
  }

  async count(fileId: string): Promise<number> {
    const row = await this.db
      .selectFrom('file_chunks')
      .select((eb) => eb.fn.countAll<number>().as('chunks'))
      .where('file_id', '=', fileId)
      .executeTakeFirstOrThrow();
    return Number(row.chunks);
  }

  async delete(fileId: string): Promise<void> {
    await this.db.deleteFrom('file_chunks').where('file_id', '=', fileId).execute();
  }
}
