// The console's only way to the server: Paddock's public HTTP API, with the
// user's API key in `x-api-key`. Plain ESM with no DOM use, so Node 20 runs it
// too (test/console/). Wire shapes: the SDK's resources/beta/**/*.d.ts.
import { readSse } from './sse.js';

export const TOOLSET_TYPE = 'agent_toolset_20260401';
/** The largest page `GET /v1/sessions/{id}/events` serves. */
export const EVENT_PAGE_LIMIT = 1000;

/** A non-2xx answer, carrying the API's own error type and message. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} type
   * @param {string} message
   * @param {string | null} [requestId]
   */
  constructor(status, type, message, requestId = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.requestId = requestId;
  }
}

/** Reads the API's error body (`{type:'error', error:{type, message}}`) into an ApiError. */
export async function apiErrorOf(response) {
  const text = await response.text().catch(() => '');
  let type = 'api_error';
  let message = text || `HTTP ${response.status}`;
  try {
    const body = JSON.parse(text);
    if (typeof body?.error?.message === 'string') message = body.error.message;
    if (typeof body?.error?.type === 'string') type = body.error.type;
  } catch {
    // not JSON: keep the text
  }
  return new ApiError(response.status, type, message, response.headers.get('request-id'));
}

/** `?a=1&b=x`, skipping undefined and null; arrays repeat the key. */
export function queryString(params = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const segment = (value) => encodeURIComponent(String(value));

/** The filename in a `content-disposition` header (RFC 5987 form first). */
export function filenameOf(disposition, fallback = 'download') {
  if (!disposition) return fallback;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename="([^"]*)"/i.exec(disposition);
  return plain?.[1] || fallback;
}

export class ConsoleClient {
  /**
   * @param {{ apiKey: string, baseUrl?: string, fetch?: typeof fetch, workspaceId?: string }} options
   *   `baseUrl` is empty in the browser (same origin) and the server's URL in Node;
   *   `workspaceId`: an admin key's chosen workspace, sent as `anthropic-workspace-id`.
   */
  constructor({ apiKey, baseUrl = '', fetch: fetchImpl, workspaceId }) {
    this.apiKey = apiKey;
    this.workspaceId = workspaceId || undefined;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.fetchImpl = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Sends one request; resolves to the Response when it is 2xx, else throws an ApiError. */
  async send(method, path, { query, body, signal, headers = {} } = {}) {
    const init = {
      method,
      headers: { 'x-api-key': this.apiKey, accept: 'application/json', ...headers },
      signal,
    };
    if (this.workspaceId) init.headers['anthropic-workspace-id'] = this.workspaceId;
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await this.fetchImpl(`${this.baseUrl}${path}${queryString(query)}`, init);
    if (!response.ok) throw await apiErrorOf(response);
    return response;
  }

  async json(method, path, options) {
    return (await this.send(method, path, options)).json();
  }

  /** Checks the key with the cheapest authenticated call; throws the API's error for a bad one. */
  async signIn() {
    await this.json('GET', '/v1/agents', { query: { limit: 1 } });
    return true;
  }

  /**
   * One page of a list: `{data, next_page, prev_page?}`. Pass `page` back unchanged from a
   * previous answer's `next_page` / `prev_page` (src/api/paging.ts).
   * @param {'agents'|'environments'|'sessions'|'vaults'|'files'} resource
   */
  list(resource, { limit, page, ...filters } = {}) {
    return this.json('GET', `/v1/${resource}`, { query: { limit, page, ...filters } });
  }

  listAgents(params) {
    return this.list('agents', params);
  }
  listEnvironments(params) {
    return this.list('environments', params);
  }
  listSessions(params) {
    return this.list('sessions', params);
  }
  listVaults(params) {
    return this.list('vaults', params);
  }
  listFiles(params) {
    return this.list('files', params);
  }

  retrieveSession(sessionId) {
    return this.json('GET', `/v1/sessions/${segment(sessionId)}`);
  }

  /** One page of a session's (or a thread's) events, oldest first. */
  listEvents(sessionId, { threadId, limit, page, order, signal } = {}) {
    const base = `/v1/sessions/${segment(sessionId)}`;
    const path = threadId ? `${base}/threads/${segment(threadId)}/events` : `${base}/events`;
    return this.json('GET', path, { query: { limit, page, order }, signal });
  }

  /** Every event so far, following `next_page`. */
  async listAllEvents(sessionId, { threadId, signal } = {}) {
    const events = [];
    let page;
    do {
      const answer = await this.listEvents(sessionId, { threadId, limit: EVENT_PAGE_LIMIT, page, signal });
      events.push(...answer.data);
      page = answer.next_page ?? undefined;
    } while (page && !signal?.aborted);
    return events;
  }

  /** The last `limit` events, newest first (for the sessions list's "needs action" marker). */
  async recentEvents(sessionId, limit = 100) {
    return (await this.listEvents(sessionId, { limit, order: 'desc' })).data;
  }

  /** Paddock's exact cost report (`GET /v1/sessions/{id}/cost`, docs/metering.md). */
  sessionCost(sessionId) {
    return this.json('GET', `/v1/sessions/${segment(sessionId)}/cost`);
  }

  /** Paddock's usage report (`GET /v1/usage_report`): `{starting_at, ending_at?, group_by?}`. */
  usageReport({ startingAt, endingAt, groupBy = ['day'] }) {
    return this.json('GET', '/v1/usage_report', {
      query: { starting_at: startingAt, ending_at: endingAt, 'group_by[]': groupBy },
    });
  }

  archiveSession(sessionId) {
    return this.json('POST', `/v1/sessions/${segment(sessionId)}/archive`, { body: {} });
  }

  deleteSession(sessionId) {
    return this.json('DELETE', `/v1/sessions/${segment(sessionId)}`);
  }

  retrieveAgent(agentId) {
    return this.json('GET', `/v1/agents/${segment(agentId)}`);
  }

  /** Every version of an agent (newest first, as the API lists them). */
  async listAgentVersions(agentId) {
    return (await this.json('GET', `/v1/agents/${segment(agentId)}/versions`, { query: { limit: 100 } }))
      .data;
  }

  /**
   * Saves a new version of an agent; `version` is the one edited (the API refuses a stale one).
   * @param {string} agentId
   * @param {{ version: number, name?: string, model?: string, system?: string | null, description?: string | null }} changes
   */
  updateAgent(agentId, changes) {
    return this.json('POST', `/v1/agents/${segment(agentId)}`, { body: changes });
  }

  archiveAgent(agentId) {
    return this.json('POST', `/v1/agents/${segment(agentId)}/archive`, { body: {} });
  }

  retrieveEnvironment(environmentId) {
    return this.json('GET', `/v1/environments/${segment(environmentId)}`);
  }

  archiveEnvironment(environmentId) {
    return this.json('POST', `/v1/environments/${segment(environmentId)}/archive`, { body: {} });
  }

  async listThreads(sessionId) {
    return (await this.json('GET', `/v1/sessions/${segment(sessionId)}/threads`)).data;
  }

  /**
   * @param {{ name: string, model: string, system?: string, toolset?: boolean, askBeforeTools?: boolean }} input
   */
  createAgent({ name, model, system, toolset = true, askBeforeTools = false }) {
    const tools = toolset
      ? [
          askBeforeTools
            ? { type: TOOLSET_TYPE, default_config: { permission_policy: { type: 'always_ask' } } }
            : { type: TOOLSET_TYPE },
        ]
      : [];
    const body = { name, model, tools };
    if (system?.trim()) body.system = system;
    return this.json('POST', '/v1/agents', { body });
  }

  /** @param {{ agentId: string, environmentId: string, title?: string }} input */
  createSession({ agentId, environmentId, title }) {
    const body = { agent: agentId, environment_id: environmentId };
    if (title?.trim()) body.title = title.trim();
    return this.json('POST', '/v1/sessions', { body });
  }

  /** `POST /v1/sessions/{id}/events`; resolves to the stored events. */
  async sendEvents(sessionId, events) {
    return (await this.json('POST', `/v1/sessions/${segment(sessionId)}/events`, { body: { events } })).data;
  }

  sendMessage(sessionId, text) {
    return this.sendEvents(sessionId, [{ type: 'user.message', content: [{ type: 'text', text }] }]);
  }

  /** Without a thread: every thread of the session (the primary alone in a single-agent session). */
  interrupt(sessionId, threadId) {
    const event = { type: 'user.interrupt' };
    if (threadId) event.session_thread_id = threadId;
    return this.sendEvents(sessionId, [event]);
  }

  /** Answers a pending `always_ask` tool use (`stop_reason.event_ids` of the last idle). */
  confirmTool(sessionId, toolUseId, result, denyMessage) {
    const event = { type: 'user.tool_confirmation', tool_use_id: toolUseId, result };
    if (result === 'deny' && denyMessage) event.deny_message = denyMessage;
    return this.sendEvents(sessionId, [event]);
  }

  /** The file's bytes, fetched with the key (a plain link could not send it). */
  async downloadFile(fileId) {
    const response = await this.send('GET', `/v1/files/${segment(fileId)}/content`, {
      headers: { accept: '*/*' },
    });
    return {
      blob: await response.blob(),
      filename: filenameOf(response.headers.get('content-disposition'), fileId),
    };
  }

  /**
   * Opens the live event stream; resumes after `lastEventId` (sent as `Last-Event-ID`); with
   * `eventDeltas: ['agent.message']` it also carries the text of a reply while it streams.
   * Resolves once the server has sent its headers; throws an ApiError for a refused stream.
   * @returns {Promise<AsyncGenerator<{ event: string, id: string | null, data: string }>>}
   */
  async openStream(sessionId, { threadId, lastEventId, signal, onComment, eventDeltas } = {}) {
    const base = `/v1/sessions/${segment(sessionId)}`;
    const path = threadId ? `${base}/threads/${segment(threadId)}/stream` : `${base}/events/stream`;
    const headers = { accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    // `event_deltas`: previews (`event_start`, `event_delta`) of events still being produced.
    const query = eventDeltas?.length ? { event_deltas: eventDeltas } : undefined;
    const response = await this.send('GET', path, { headers, signal, query });
    if (!response.body) throw new ApiError(response.status, 'api_error', 'the event stream has no body');
    return readSse(response.body, { onComment });
  }
}
