import type { Store } from '../ports/store.js';

/** The sessions a deployment's runs created (sessions.list's `deployment_id` filter). */
export async function sessionsOfDeployment(store: Store, deploymentId: string): Promise<string[]> {
  const ids: string[] = [];
  let before: { createdAt: string; id: string } | undefined;
  for (;;) {
    const rows = await store.deploymentRuns.list({ deploymentId, before, limit: 500 });
    ids.push(...rows.flatMap((row) => (row.sessionId ? [row.sessionId] : [])));
    const last = rows[rows.length - 1];
    if (rows.length < 500 || !last) return ids;
    before = { createdAt: last.createdAt, id: last.id };
  }
}
