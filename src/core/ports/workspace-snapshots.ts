/**
 * Portable workspaces: a session's changed files, snapshotted to blob storage at the end of
 * each turn and when its sandbox stops, and restored before its first tool call on any node
 * whose copy is older (src/sandbox/snapshots/). The log stays the truth for events; this is
 * the truth for files between nodes.
 */
export interface WorkspaceSnapshots {
  /**
   * Brings `dir` (the session's writable layer, prepared but not yet in use) to the newest
   * snapshot, unless this node's copy already is it.
   */
  restore(sessionId: string, dir: string): Promise<RestoreOutcome>;
  /** Records what changed in `dir` since the last snapshot; cheap when nothing did. */
  save(sessionId: string, dir: string): Promise<SaveOutcome>;
  /** Forgets the session: its head and every part in blob storage. */
  delete(sessionId: string): Promise<void>;
}

export type RestoreOutcome =
  /** This node's files are the newest snapshot (or newer): nothing to do. */
  | { type: 'current' }
  /** The session never had a sandbox: an empty workspace is right. */
  | { type: 'new' }
  | { type: 'restored'; files: number; bytes: number; generation: number }
  /** The files could not be brought back; the workspace starts empty and someone must be told. */
  | { type: 'lost'; reason: string };

export type SaveOutcome =
  | { type: 'unchanged' }
  | { type: 'saved'; generation: number; changedFiles: number; uploadedBytes: number }
  /** Not saved (over the size bound, or another node moved the head): the previous snapshot stays. */
  | { type: 'skipped'; reason: string };
