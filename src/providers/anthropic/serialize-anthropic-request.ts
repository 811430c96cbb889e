import type { MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages';

/** The longest run of frozen messages a conversation's last request began with, and its JSON. */
interface KeptPrefix {
  messages: readonly object[];
  /**
   * The messages' JSON joined by commas, without the brackets, as UTF-8: the first `length`
   * bytes of `bytes`, which has room to grow, so a step appends its new messages in place
   * instead of copying the whole prefix into a new buffer.
   */
  bytes: Buffer;
  length: number;
}

const COMMA = Buffer.from(',');

/**
 * The UTF-8 bytes of `JSON.stringify(params)` for a Messages request, byte for byte, with the
 * JSON of the conversation's frozen prefix kept between requests (issue #21). The harness hands
 * out the messages before the last frozen and the same objects from one request to the next
 * (RequestHistory), so at 10,000 events of conversation a step serialised ~0.5 MB of which all
 * but the last turn was the same as the step before. A request whose messages start with the
 * kept ones (compared by identity) writes only the rest; anything else is written afresh. Only
 * frozen messages (content and blocks frozen too) are kept: an object that can still change
 * is always serialised anew. Bytes, not a string: a half-megabyte string costs more to make and
 * encode than the JSON costs to write, where copying bytes is a memcpy. Kept per conversation,
 * keyed by its second message object (a WeakMap): a conversation no request holds any more takes
 * its JSON with it.
 */
export function createRequestSerializer(): (params: MessageCreateParamsStreaming) => Buffer {
  const kept = new WeakMap<object, KeptPrefix>();
  const messagesJson = (messages: readonly object[]): Buffer[] => {
    // The second message names the conversation: the first may be the one '(continue)' opener
    // every conversation that starts with the model's turn shares (build-model-request.ts).
    const key = messages[1] ?? messages[0];
    if (key === undefined) return [Buffer.from('[]')];
    const known = kept.get(key);
    const reused = known !== undefined && startsWith(messages, known.messages) ? known : undefined;
    const keptCount = reused?.messages.length ?? 0;
    let frozen = keptCount;
    const fresh: Buffer[] = [];
    for (let index = keptCount; index < messages.length; index++) {
      fresh.push(Buffer.from(JSON.stringify(messages[index])));
      if (frozen === index && isFrozenMessage(messages[index])) frozen = index + 1;
    }
    const parts: Buffer[] = [];
    if (reused) parts.push(reused.bytes.subarray(0, reused.length));
    for (const json of fresh) {
      if (parts.length > 0) parts.push(COMMA);
      parts.push(json);
    }
    if (frozen > keptCount) keep(key, messages.slice(0, frozen), reused, fresh.slice(0, frozen - keptCount));
    return [Buffer.from('['), ...parts, Buffer.from(']')];
  };
  /** The kept prefix of the conversation `key` names, grown by `added` (each a message's JSON). */
  const keep = (
    key: object,
    messages: readonly object[],
    reused: KeptPrefix | undefined,
    added: Buffer[],
  ) => {
    let length = reused?.length ?? 0;
    let needed = length;
    for (const json of added) needed += json.length + (needed > 0 ? 1 : 0);
    let bytes = reused?.bytes ?? Buffer.alloc(0);
    if (needed > bytes.length) {
      // Room for half as much again: a growing conversation copies its prefix now and then, not every step.
      const grown = Buffer.allocUnsafe(Math.ceil(needed * 1.5));
      bytes.copy(grown, 0, 0, length);
      bytes = grown;
    }
    for (const json of added) {
      if (length > 0) length += COMMA.copy(bytes, length);
      length += json.copy(bytes, length);
    }
    kept.set(key, { messages, bytes, length });
  };

  return (params) => {
    // The members in the object's own order, undefined ones left out: what JSON.stringify writes.
    const parts: Buffer[] = [];
    for (const [key, value] of Object.entries(params)) {
      if (key === 'messages' && Array.isArray(value)) {
        parts.push(Buffer.from(`${parts.length > 0 ? ',' : ''}${JSON.stringify(key)}:`));
        parts.push(...messagesJson(value as object[]));
        continue;
      }
      const json = JSON.stringify(value);
      if (json !== undefined)
        parts.push(Buffer.from(`${parts.length > 0 ? ',' : ''}${JSON.stringify(key)}:${json}`));
    }
    return Buffer.concat([Buffer.from('{'), ...parts, Buffer.from('}')]);
  };
}

function startsWith(messages: readonly object[], prefix: readonly object[]): boolean {
  if (prefix.length > messages.length) return false;
  for (let index = 0; index < prefix.length; index++) {
    if (messages[index] !== prefix[index]) return false;
  }
  return true;
}

function isFrozenMessage(message: unknown): boolean {
  if (typeof message !== 'object' || message === null || !Object.isFrozen(message)) return false;
  const content = (message as { content?: unknown }).content;
  return (
    Array.isArray(content) && Object.isFrozen(content) && content.every((block) => Object.isFrozen(block))
  );
}
