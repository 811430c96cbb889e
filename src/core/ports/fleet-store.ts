// Storage of the fleet's coordination: session leases and node heartbeats (docs/scale-out.md).

export interface LeaseRepository {
  /**
   * Takes or renews the lease when free, expired or already ours. With `liveSince`, an expired
   * (or handed-off) lease of another node stays that node's while the node is live: its
   * heartbeat is not older than `liveSince` and it is not draining (FleetRepository).
   */
  acquire(
    sessionId: string,
    owner: string,
    expiresAt: string,
    now: string,
    liveSince?: string,
  ): Promise<boolean>;
  release(sessionId: string, owner: string): Promise<void>;
  /**
   * Lets go but keeps the owner's name on the row, expired (`expiresAt` = RELEASED_LEASE): the
   * next node to wake the session can see who ran it last, and leave it to that node, whose disk
   * holds the session's sandbox files.
   */
  handOff(sessionId: string, owner: string): Promise<void>;
  holder(sessionId: string): Promise<{ owner: string; expiresAt: string } | undefined>;
}

/** The `expiresAt` of a handed-off lease: before every timestamp, so it counts as expired. */
export const RELEASED_LEASE = '';

/** A node's own account of itself: `live` drives sessions, `draining` lets them go, `gone` has left. */
export type NodeState = 'live' | 'draining' | 'gone';

export interface NodeHeartbeat {
  nodeId: string;
  state: NodeState;
  heartbeatAt: string;
}

/** Which nodes are alive (heartbeats in the database), and which sessions wait for one. */
export interface FleetRepository {
  beat(nodeId: string, state: NodeState, now: string): Promise<void>;
  get(nodeId: string): Promise<NodeHeartbeat | undefined>;
  /**
   * Idle sessions whose last event is client input (a message, a confirmation, a tool result):
   * a wake-up signal for them was lost, so a sweep must wake them.
   */
  sessionsAwaitingInput(limit: number): Promise<string[]>;
}
