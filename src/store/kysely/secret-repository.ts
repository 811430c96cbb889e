import type { Kysely } from 'kysely';
import type { SecretRepository } from '../../core/ports/store.js';
import type { Database } from './schema.js';

export class KyselySecretRepository implements SecretRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async put(ownerId: string, ciphertext: string): Promise<void> {
    await this.db
      .insertInto('secrets')
      .values({ owner_id: ownerId, ciphertext })
      .onConflict((oc) => oc.column('owner_id').doUpdateSet({ ciphertext }))
      .execute();
  }

  async get(ownerId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('secrets')
      .select('ciphertext')
      .where('owner_id', '=', ownerId)
      .executeTakeFirst();
    return row?.ciphertext;
  }

  async delete(ownerId: string): Promise<void> {
    await this.db.deleteFrom('secrets').where('owner_id', '=', ownerId).execute();
  }
}
