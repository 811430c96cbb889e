/** Idempotency keys (`Idempotency-Key` on POSTs): one row per (caller, key). */
export interface IdempotencyRecord {
  /** Who sent the key (an API key's id, an environment's, a session's): keys never cross callers. */
  scope: string;
  key: string;
  /** sha256 of method, path and body: the same key with another request is refused. */
  requestHash: string;
  /** null while the first request is still running. */
  status: number | null;
  /** The first response's JSON body, replayed verbatim. */
  body: string | null;
  createdAt: string;
}

export interface IdempotencyRepository {
  /**
   * Claims (scope, key) for a new request. Returns undefined when the claim was taken (run the
   * request), or the record that holds it. A record created before `staleBefore` is taken over.
   */
  claim(record: IdempotencyRecord, staleBefore: string): Promise<IdempotencyRecord | undefined>;
  complete(scope: string, key: string, status: number, body: string): Promise<void>;
  /** Forgets a claim whose request failed on the server's side, so a retry runs again. */
  release(scope: string, key: string): Promise<void>;
}
