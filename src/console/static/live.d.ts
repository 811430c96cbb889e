// Types for live.js (plain ESM served to the browser as is; the tests import it from TypeScript).
import type { ConsoleClient, Wire } from './api.js';

export type FollowState = 'connecting' | 'live' | 'waiting' | 'ended' | 'failed' | 'stopped';

export interface FollowOptions {
  onEvent: (event: Wire) => void;
  onError?: (error: { type: string; message: string; fatal: boolean }) => void;
  onState?: (state: FollowState) => void;
  onHeartbeat?: () => void;
  threadId?: string;
  lastEventId?: string;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  reconnect?: boolean;
  /** Preview types (`agent.message`) whose `event_start` / `event_delta` frames reach onEvent. */
  eventDeltas?: string[];
}

export interface Follower {
  readonly done: Promise<'ended' | 'failed' | 'stopped'>;
  stop(): Promise<'ended' | 'failed' | 'stopped'>;
  readonly lastEventId: string | undefined;
  resumeAfter(eventId: string | undefined): void;
}

export function endsStream(event: Wire, threadId?: string): boolean;
export function followEvents(client: ConsoleClient, sessionId: string, options: FollowOptions): Follower;
