import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { IdGenerator } from '../ids.js';
import type { AuditEntry, Store } from '../ports/store.js';
import { currentWorkspaceScope } from './workspace-scope.js';

/** The wire form of one entry (GET /v1/organizations/audit_log). */
export interface AuditLogEntryWire {
  type: 'audit_log_entry';
  id: string;
  occurred_at: string;
  actor: { type: 'api_key'; id: string };
  action: string;
  target: { type: string; id: string };
  workspace_id: string | null;
  details: Record<string, unknown>;
}

export const toAuditWire = (entry: AuditEntry): AuditLogEntryWire => ({
  type: 'audit_log_entry',
  id: entry.id,
  occurred_at: entry.occurredAt,
  actor: { type: 'api_key', id: entry.actor },
  action: entry.action,
  target: { type: entry.targetType, id: entry.targetId },
  workspace_id: entry.workspaceId,
  details: entry.details,
});

/**
 * Who changed which workspace, key, vault or credential, and when. Callers pass field names and
 * plain values only; secrets (key material, credential tokens) are never handed to it.
 */
export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async record(
    action: string,
    target: { type: string; id: string; workspaceId?: string | null | undefined },
    details: Record<string, unknown> = {},
  ): Promise<void> {
    const scope = currentWorkspaceScope();
    await this.store.auditLog.append({
      id: this.ids.next('auditEntry'),
      // Outside a request (the CLI's direct store use, tests): the server itself acted.
      actor: scope?.actor ?? 'system',
      action,
      targetType: target.type,
      targetId: target.id,
      workspaceId: target.workspaceId === undefined ? (scope?.workspaceId ?? null) : target.workspaceId,
      occurredAt: toTimestamp(this.clock.now()),
      details,
    });
  }

  list(options: Parameters<Store['auditLog']['list']>[0]): Promise<AuditEntry[]> {
    return this.store.auditLog.list(options);
  }
}
