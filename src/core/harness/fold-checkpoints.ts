import { UsageFold, type UsageLedger } from '../metering/session-usage.js';
import { RequestHistory } from './build-model-request.js';
import { type LogEntry, SessionFold, type SessionState } from './session-state.js';

/** A fold over one view of a session's log, fed one entry at a time in seq order. */
export interface Fold {
  add(entry: LogEntry): void;
}

interface Checkpoint {
  fold: Fold;
  /** Entries of the view folded so far, and the seq of the last one. */
  count: number;
  lastSeq: number;
}

/**
 * Entries folded and kept for sessions, across all their views, before the least recently
 * used sessions are dropped (decision 0025). The log cache (session-log-adapters.ts) keeps
 * as many log entries; a checkpoint holds far less than the entries it folded.
 */
export const RETAINED_FOLD_ENTRIES = 50_000;

/**
 * What a wake derives from a session's log, kept between steps and wakes so each step folds
 * only the entries appended since the last one it saw (issue #21; decision 0025). Keyed by
 * session and by view (the primary thread, a child thread, the whole log): each view is a
 * subsequence of one append-only log, so a checkpoint that folded `count` entries up to
 * `lastSeq` is a valid start for any later read of the same view whose entry `count - 1` has
 * that seq, whichever node appended since. Anything else (a cold cache, an eviction, a read
 * older than the checkpoint) folds the view from its start: the log stays the only truth.
 */
export class FoldCheckpoints {
  /** Map order is recency: the session used last is at the end. */
  private readonly sessions = new Map<string, Map<string, Checkpoint>>();

  constructor(private readonly retainedEntries = RETAINED_FOLD_ENTRIES) {}

  /** The fold `view` of `entries` (one view of a session's log, in seq order), brought up to date. */
  advance<T extends Fold>(sessionId: string, view: string, entries: readonly LogEntry[], create: () => T): T {
    let views = this.sessions.get(sessionId);
    if (views) this.sessions.delete(sessionId);
    else views = new Map();
    this.sessions.set(sessionId, views);
    const checkpoint = views.get(view);
    if (checkpoint && entries.length < checkpoint.count) {
      // A read older than the checkpoint (a concurrent step's): fold it apart, keep the newer one.
      return foldAll(create(), entries, 0);
    }
    const valid =
      checkpoint !== undefined &&
      (checkpoint.count === 0 || entries[checkpoint.count - 1]?.seq === checkpoint.lastSeq);
    const fold = valid ? (checkpoint.fold as T) : create();
    foldAll(fold, entries, valid ? checkpoint.count : 0);
    views.set(view, { fold, count: entries.length, lastSeq: entries.at(-1)?.seq ?? 0 });
    return fold;
  }

  /** The session's primary fold: state, request history. */
  wake(sessionId: string, view: string, entries: readonly LogEntry[]): WakeFold {
    return this.advance(sessionId, `wake:${view}`, entries, () => new WakeFold());
  }

  /** Usage of the whole session (every thread): `entries` is the whole log. */
  usage(sessionId: string, entries: readonly LogEntry[], nowMs: number): UsageLedger {
    return this.advance(sessionId, 'usage', entries, () => new UsageEntries()).usage.ledger(nowMs);
  }

  /** A session stops being driven here: past the bound, the least recently used sessions go. */
  forget(_sessionId: string): void {
    let retained = 0;
    for (const views of this.sessions.values()) retained += weight(views);
    for (const [sessionId, views] of this.sessions) {
      if (retained <= this.retainedEntries) return;
      this.sessions.delete(sessionId);
      retained -= weight(views);
    }
  }

  /** The session is archived or deleted: nothing of it is kept. */
  drop(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  /** Sessions with a checkpoint (for tests and operators). */
  get size(): number {
    return this.sessions.size;
  }
}

/** What `runSession` folds from its thread's view at every step. */
export class WakeFold implements Fold {
  readonly session = new SessionFold();
  readonly history = new RequestHistory();

  add(entry: LogEntry): void {
    this.session.add(entry);
    this.history.add(entry);
  }

  state(): SessionState {
    return this.session.state();
  }
}

class UsageEntries implements Fold {
  readonly usage = new UsageFold();
  add(entry: LogEntry): void {
    this.usage.add(entry.event);
  }
}

/**
 * A thread's view of the log (thread-scope.ts), built incrementally from the whole log: the
 * entries `select` keeps, as it maps them.
 */
export class ViewEntries implements Fold {
  readonly entries: LogEntry[] = [];
  constructor(private readonly select: (entry: LogEntry) => LogEntry | undefined) {}
  add(entry: LogEntry): void {
    const kept = this.select(entry);
    if (kept) this.entries.push(kept);
  }
}

function foldAll<T extends Fold>(fold: T, entries: readonly LogEntry[], from: number): T {
  for (let index = from; index < entries.length; index++) fold.add(entries[index] as LogEntry);
  return fold;
}

function weight(views: Map<string, Checkpoint>): number {
  let most = 0;
  for (const checkpoint of views.values()) most = Math.max(most, checkpoint.count);
  return most;
}
