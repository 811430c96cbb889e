import { invalidRequest } from '../errors.js';
import type { ResourceRecord } from '../ports/store.js';
import { currentWorkspaceScope, DEFAULT_WORKSPACE_ID } from './workspace-scope.js';

/** The workspace a new row without a parent lands in (the caller's, or the default). */
export const creatingWorkspace = (): string => currentWorkspaceScope()?.workspaceId ?? DEFAULT_WORKSPACE_ID;

/**
 * A session uses only its own workspace's agent, environment, vaults and files. A confined caller
 * never sees foreign rows (they read as missing); this catches an admin acting without a
 * workspace header, who sees every row but creates in the default workspace.
 */
export function assertSameWorkspace(field: string, record: ResourceRecord<unknown> | undefined): void {
  if (record?.workspaceId === undefined) return;
  const target = creatingWorkspace();
  if (record.workspaceId !== target)
    throw invalidRequest(
      `${field}: ${record.kind} ${record.id} belongs to workspace ${record.workspaceId}, not ${target}`,
      { errorCode: 'cross_workspace_reference' },
    );
}
