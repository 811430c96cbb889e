import { type Clock, toTimestamp } from '../clock.js';
import type { FleetRepository, LeaseRepository } from '../ports/store.js';
import { isStoreUnavailable } from '../store-unavailable.js';
import type { NodeLiveness } from './node-liveness.js';
import { whileStoreUnavailable } from './store-retry.js';

/** This node took a session that another node ran last (that node died, or drained). */
export interface Takeover {
  sessionId: string;
  previousOwner: string;
  /** `draining`/`gone`: the owner let it go; `heartbeat_lapsed`: the owner stopped beating (a crash). */
  reason: 'draining' | 'gone' | 'heartbeat_lapsed';
}

export interface OwnershipOptions {
  leases: LeaseRepository;
  fleet?: FleetRepository | undefined;
  liveness?: NodeLiveness | undefined;
  nodeId: string;
  clock: Clock;
  leaseTtlMs: number;
  onError?: ((error: unknown, sessionId: string) => void) | undefined;
}

/**
 * Who drives a session. A lease (owner, expiry) guards every append; on top of it, a session
 * belongs to the node that ran it last for as long as that node is live: its lease is kept
 * (handed off, expired) between turns, and another node can take it only once the owner's
 * heartbeat lapsed or the owner is draining. The rule is checked inside the lease statement,
 * so it holds however the nodes are scheduled; nothing waits for anyone to be faster.
 */
export class SessionOwnership {
  constructor(private readonly options: OwnershipOptions) {}

  /** Takes or renews the lease; false while another node owns the session. */
  acquire(sessionId: string): Promise<boolean> {
    const { leases, nodeId, clock, leaseTtlMs, liveness } = this.options;
    const now = clock.now();
    return leases.acquire(
      sessionId,
      nodeId,
      toTimestamp(now + leaseTtlMs),
      toTimestamp(now),
      liveness?.liveSince(),
    );
  }

  /**
   * Takes the lease, and says whether that was a takeover from another node. The holder is
   * read first only to name it: the acquire itself decides, atomically.
   */
  async take(sessionId: string): Promise<{ held: boolean; takeover?: Takeover }> {
    const previous = await this.options.leases.holder(sessionId);
    if (!(await this.acquire(sessionId))) return { held: false };
    if (!previous || previous.owner === this.options.nodeId) return { held: true };
    const node = await this.options.fleet?.get(previous.owner).catch(() => undefined);
    const reason = node?.state === 'draining' || node?.state === 'gone' ? node.state : 'heartbeat_lapsed';
    return { held: true, takeover: { sessionId, previousOwner: previous.owner, reason } };
  }

  /**
   * Renews the lease every TTL/3 while a turn runs. `onLost` fires only when another node
   * holds it now; a database that is briefly unreachable just means trying again next time
   * (the appends, checked against the lease, are what must never go through without it).
   */
  keep(sessionId: string, onLost: () => void): () => void {
    const timer = setInterval(() => {
      this.acquire(sessionId).then(
        (held) => {
          if (!held) onLost();
        },
        (error: unknown) => {
          if (!isStoreUnavailable(error)) this.options.onError?.(error, sessionId);
        },
      );
    }, this.options.leaseTtlMs / 3);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Lets go between turns, keeping this node's name on the lease (see LeaseRepository.handOff). */
  async handOff(sessionId: string): Promise<void> {
    const { leases, nodeId, leaseTtlMs } = this.options;
    await whileStoreUnavailable({ maxWaitMs: leaseTtlMs }, () => leases.handOff(sessionId, nodeId));
  }
}
