import type { MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages';

/**
 * `JSON.stringify(params)` for a Messages request, byte for byte, with each frozen message's
 * JSON kept between requests (issue #21). The harness hands out a conversation's messages
 * before the last frozen and shares them from one request to the next (RequestHistory), so at
 * 10,000 events of conversation a step serialised ~0.5 MB of which all but the last turn was
 * the same as the step before. Only frozen messages are kept: an object that can still change
 * is serialised afresh each time. Keys are the message objects (a WeakMap): a message no
 * request holds any more takes its JSON with it.
 */
export function createRequestSerializer(): (params: MessageCreateParamsStreaming) => string {
  const known = new WeakMap<object, string>();
  const messageJson = (message: object): string => {
    const kept = known.get(message);
    if (kept !== undefined) return kept;
    const json = JSON.stringify(message);
    const content = (message as { content?: unknown }).content;
    if (
      Object.isFrozen(message) &&
      Array.isArray(content) &&
      Object.isFrozen(content) &&
      content.every((block) => Object.isFrozen(block))
    ) {
      known.set(message, json);
    }
    return json;
  };
  return (params) => {
    // The members in the object's own order, undefined ones left out: what JSON.stringify writes.
    const members: string[] = [];
    for (const [key, value] of Object.entries(params)) {
      const json =
        key === 'messages' && Array.isArray(value)
          ? `[${value.map((message: object) => messageJson(message)).join(',')}]`
          : JSON.stringify(value);
      if (json !== undefined) members.push(`${JSON.stringify(key)}:${json}`);
    }
    return `{${members.join(',')}}`;
  };
}
