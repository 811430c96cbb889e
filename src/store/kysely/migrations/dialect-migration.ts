import type { Kysely } from 'kysely';

/** Column types the two dialects spell differently. */
export interface DialectTypes {
  bytes: 'blob' | 'bytea';
}

/** One numbered schema change, written once for both dialects. */
export interface DialectMigration {
  up(db: Kysely<unknown>, types: DialectTypes): Promise<void>;
}
