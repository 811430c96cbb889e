import type {
  CacheControl,
  ModelContentBlock,
  ModelMessage,
  ModelRequest,
  ModelToolDefinition,
} from '../../core/ports/model-provider.js';

/** The API rejects a request with more than four cache_control markers. */
const MAX_BREAKPOINTS = 4;
const EPHEMERAL: CacheControl = { type: 'ephemeral' };

/**
 * Marks the prompt-caching breakpoints: the last user message's last block,
 * the last system block and the last tool. The message breakpoint comes first
 * because it caches the longest prefix (tools → system → messages) on its own;
 * markers the caller already set are kept and count toward the limit.
 * Returns a copy; the caller's request is not changed.
 */
export function addCacheBreakpoints(request: ModelRequest): ModelRequest {
  let budget = MAX_BREAKPOINTS - countMarkers(request);
  const take = () => budget-- > 0;

  const messages = [...request.messages];
  const lastUserIndex = messages.findLastIndex((message) => message.role === 'user');
  const lastUser = messages[lastUserIndex];
  if (lastUser) {
    const content = [...lastUser.content];
    const last = content.at(-1);
    if (last && canCarryMarker(last) && !hasMarker(last) && take()) {
      content[content.length - 1] = { ...last, cache_control: EPHEMERAL } as ModelContentBlock;
      messages[lastUserIndex] = { ...lastUser, content } satisfies ModelMessage;
    }
  }

  let system = request.system;
  const lastSystem = system?.at(-1);
  if (system && lastSystem && lastSystem.text !== '' && !lastSystem.cache_control && take()) {
    system = [...system.slice(0, -1), { ...lastSystem, cache_control: EPHEMERAL }];
  }

  let tools = request.tools;
  const lastTool = tools.at(-1);
  if (lastTool && !lastTool.cache_control && take()) {
    tools = [...tools.slice(0, -1), { ...lastTool, cache_control: EPHEMERAL } satisfies ModelToolDefinition];
  }

  return { ...request, messages, tools, ...(system ? { system } : {}) };
}

/** Thinking blocks can't carry cache_control, and neither can empty text. */
function canCarryMarker(block: ModelContentBlock): boolean {
  if (block.type === 'thinking' || block.type === 'redacted_thinking') return false;
  return block.type !== 'text' || block.text !== '';
}

function hasMarker(value: object): boolean {
  return 'cache_control' in value && value.cache_control !== undefined;
}

/** Counted in place: a long conversation's blocks are not copied into one array per request (issue #21). */
function countMarkers(request: ModelRequest): number {
  let count = 0;
  for (const block of request.system ?? []) if (hasMarker(block)) count++;
  for (const tool of request.tools) if (hasMarker(tool)) count++;
  for (const message of request.messages) {
    for (const block of message.content) if (hasMarker(block)) count++;
  }
  return count;
}
