import { AsyncLocalStorage } from 'node:async_hooks';

/** The workspace every deployment has from its first start; rows older than tenancy live here. */
export const DEFAULT_WORKSPACE_ID = 'wrkspc_default';

/**
 * Whose rows a piece of work may see. The API enters a scope for every authenticated request
 * (src/api/access.ts); the store's resource queries read it (src/store/kysely/), so a route or a
 * service cannot forget to filter. Work outside any request (the harness, sweeps) has no scope
 * and sees every row: it acts for whichever session it drives.
 */
export interface WorkspaceScope {
  /** Where rows without a parent are created. */
  workspaceId: string;
  /** True: reads and writes see only `workspaceId`'s rows. False: an admin key without a workspace header. */
  confined: boolean;
  /** The acting key's id, for the audit log ('admin' for PADDOCK_ADMIN_KEY). */
  actor?: string | undefined;
}

const current = new AsyncLocalStorage<WorkspaceScope>();

export const runInWorkspaceScope = <T>(scope: WorkspaceScope, fn: () => T): T => current.run(scope, fn);

export const currentWorkspaceScope = (): WorkspaceScope | undefined => current.getStore();

/**
 * Leaves the caller's scope: the harness is signalled from inside a request but must not inherit
 * that request's view (its timers and loops would otherwise carry one tenant's scope for good).
 */
export const outsideWorkspaceScope = <T>(fn: () => T): T => current.exit(fn);

/** The workspace rows would be confined to right now, if any. */
export const confinedWorkspace = (): string | undefined => {
  const scope = current.getStore();
  return scope?.confined ? scope.workspaceId : undefined;
};
