/**
 * Where a stream opened without `Last-Event-ID` starts.
 *
 * The hosted stream delivers only what happens after it opens, and its docs say to open it before
 * sending. The SDK's own examples send first and open the stream second: against a real model the
 * turn is still running, but against an instant one (Paddock's scripted test mode) the session is
 * idle before the stream opens and the example waits forever. So: input this node accepted that no
 * stream on this node has carried yet is replayed (with everything after it) to the next stream.
 * A client that opens its stream first sees no difference; one on another node gets the hosted rule.
 */
export class UnseenInput {
  /** session id → seq of the oldest accepted input that no stream has carried. */
  private readonly pending = new Map<string, number>();

  constructor(private readonly maxSessions = 10_000) {}

  /** POST /events accepted input starting at `seq`. The oldest uncarried input wins. */
  accepted(sessionId: string, seq: number): void {
    if (this.pending.has(sessionId)) return;
    // A bounded memory: the oldest session's note is dropped (its next stream is live-only).
    if (this.pending.size >= this.maxSessions) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    this.pending.set(sessionId, seq);
  }

  /** A stream sent the event at `seq`: input up to it has been seen. */
  carried(sessionId: string, seq: number): void {
    const from = this.pending.get(sessionId);
    if (from !== undefined && seq >= from) this.pending.delete(sessionId);
  }

  /** The `afterSeq` a new stream without Last-Event-ID starts from; undefined: the live tail. */
  startAfter(sessionId: string): number | undefined {
    const from = this.pending.get(sessionId);
    return from === undefined ? undefined : from - 1;
  }
}
