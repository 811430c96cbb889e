/**
 * The text of the conversation's last user turn, which `match` is tested
 * against and the echo fallback repeats. Both wire formats give the same
 * answer for the same conversation: the trailing run of user-side messages
 * (Anthropic `user`, OpenAI `user` and `tool`), text parts and tool result
 * text joined by newlines.
 */
export function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  const parts: string[] = [];
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index] as { role?: unknown; content?: unknown } | undefined;
    if (message?.role !== 'user' && message?.role !== 'tool') break;
    parts.unshift(...textsOf(message.content));
  }
  return parts.join('\n');
}

function textsOf(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const texts: string[] = [];
  for (const part of content as Array<Record<string, unknown>>) {
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    if (part.type === 'tool_result') texts.push(...textsOf(part.content));
  }
  return texts;
}
