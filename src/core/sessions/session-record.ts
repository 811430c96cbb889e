import type { Session } from '../domain/session.js';
import type { ResourceRecord } from '../ports/store.js';

/**
 * A session is stored as its wire object in the generic resources table; the
 * indexed columns carry what lists filter on (status, agent id and version).
 */
export function sessionRecord(session: Session): ResourceRecord<Session> {
  return {
    kind: 'session',
    id: session.id,
    parentId: null,
    name: null,
    status: session.status,
    refId: session.agent.id,
    refVersion: session.agent.version,
    createdAt: session.created_at,
    updatedAt: session.updated_at,
    archivedAt: session.archived_at,
    doc: session,
  };
}
