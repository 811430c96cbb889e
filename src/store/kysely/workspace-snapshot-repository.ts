import type { Kysely } from 'kysely';
import type { WorkspaceSnapshotHead, WorkspaceSnapshotRepository } from '../../core/ports/store.js';
import type { Database } from './schema.js';

export class KyselyWorkspaceSnapshotRepository implements WorkspaceSnapshotRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async head(sessionId: string): Promise<WorkspaceSnapshotHead | undefined> {
    const row = await this.db
      .selectFrom('workspace_snapshots')
      .selectAll()
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      sessionId: row.session_id,
      generation: Number(row.generation),
      manifestId: row.manifest_id,
      manifestSha256: row.manifest_sha256,
      createdAt: row.created_at,
    };
  }

  async advance(head: WorkspaceSnapshotHead, expected: number | undefined): Promise<boolean> {
    const values = {
      generation: head.generation,
      manifest_id: head.manifestId,
      manifest_sha256: head.manifestSha256,
      created_at: head.createdAt,
    };
    if (expected === undefined) {
      const result = await this.db
        .insertInto('workspace_snapshots')
        .values({ session_id: head.sessionId, ...values })
        .onConflict((oc) => oc.column('session_id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const result = await this.db
      .updateTable('workspace_snapshots')
      .set(values)
      .where('session_id', '=', head.sessionId)
      .where('generation', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(sessionId: string): Promise<void> {
    await this.db.deleteFrom('workspace_snapshots').where('session_id', '=', sessionId).execute();
  }
}
