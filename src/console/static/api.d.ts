// Types for api.js (plain ESM served to the browser as is; the tests import it from TypeScript).
import type { SseFrame } from './sse.js';

export const TOOLSET_TYPE: 'agent_toolset_20260401';
export const EVENT_PAGE_LIMIT: number;

export class ApiError extends Error {
  constructor(status: number, type: string, message: string, requestId?: string | null);
  readonly status: number;
  readonly type: string;
  readonly requestId: string | null;
}

export function apiErrorOf(response: Response): Promise<ApiError>;
export function queryString(params?: Record<string, unknown>): string;
export function filenameOf(disposition: string | null, fallback?: string): string;

/** A wire object; the SDK's .d.ts files hold the exact shapes. */
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous wire objects, read field by field
export type Wire = Record<string, any>;

export interface Page<T = Wire> {
  data: T[];
  next_page: string | null;
  prev_page?: string | null;
}

export type ListName = 'agents' | 'environments' | 'sessions' | 'vaults' | 'files';
export type ListParams = { limit?: number; page?: string | undefined } & Record<string, unknown>;

export interface RequestOptions {
  query?: Record<string, unknown>;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export class ConsoleClient {
  constructor(options: { apiKey: string; baseUrl?: string; fetch?: typeof fetch; workspaceId?: string });
  /** An admin key's chosen workspace, sent as `anthropic-workspace-id`. */
  readonly workspaceId: string | undefined;
  readonly apiKey: string;
  readonly baseUrl: string;
  send(method: string, path: string, options?: RequestOptions): Promise<Response>;
  json<T = Wire>(method: string, path: string, options?: RequestOptions): Promise<T>;
  signIn(): Promise<true>;
  list(resource: ListName, params?: ListParams): Promise<Page>;
  listAgents(params?: ListParams): Promise<Page>;
  listEnvironments(params?: ListParams): Promise<Page>;
  listSessions(params?: ListParams): Promise<Page>;
  listVaults(params?: ListParams): Promise<Page>;
  listFiles(params?: ListParams): Promise<Page>;
  retrieveSession(sessionId: string): Promise<Wire>;
  listEvents(
    sessionId: string,
    params?: {
      threadId?: string;
      limit?: number;
      page?: string;
      order?: 'asc' | 'desc';
      signal?: AbortSignal;
    },
  ): Promise<Page>;
  listAllEvents(sessionId: string, options?: { threadId?: string; signal?: AbortSignal }): Promise<Wire[]>;
  listThreads(sessionId: string): Promise<Wire[]>;
  recentEvents(sessionId: string, limit?: number): Promise<Wire[]>;
  sessionCost(sessionId: string): Promise<Wire>;
  usageReport(input: { startingAt: string; endingAt?: string; groupBy?: string[] }): Promise<Wire>;
  archiveSession(sessionId: string): Promise<Wire>;
  deleteSession(sessionId: string): Promise<Wire>;
  retrieveAgent(agentId: string): Promise<Wire>;
  listAgentVersions(agentId: string): Promise<Wire[]>;
  updateAgent(
    agentId: string,
    changes: {
      version: number;
      name?: string;
      model?: string;
      system?: string | null;
      description?: string | null;
    },
  ): Promise<Wire>;
  archiveAgent(agentId: string): Promise<Wire>;
  retrieveEnvironment(environmentId: string): Promise<Wire>;
  archiveEnvironment(environmentId: string): Promise<Wire>;
  createAgent(input: {
    name: string;
    model: string;
    system?: string;
    toolset?: boolean;
    askBeforeTools?: boolean;
  }): Promise<Wire>;
  createSession(input: { agentId: string; environmentId: string; title?: string }): Promise<Wire>;
  sendEvents(sessionId: string, events: Wire[]): Promise<Wire[]>;
  sendMessage(sessionId: string, text: string): Promise<Wire[]>;
  interrupt(sessionId: string, threadId?: string): Promise<Wire[]>;
  confirmTool(
    sessionId: string,
    toolUseId: string,
    result: 'allow' | 'deny',
    denyMessage?: string,
  ): Promise<Wire[]>;
  downloadFile(fileId: string): Promise<{ blob: Blob; filename: string }>;
  openStream(
    sessionId: string,
    options?: {
      threadId?: string;
      lastEventId?: string;
      signal?: AbortSignal;
      onComment?: (text: string) => void;
      eventDeltas?: string[];
    },
  ): Promise<AsyncGenerator<SseFrame>>;
}
