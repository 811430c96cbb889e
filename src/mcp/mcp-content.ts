import type { ToolResultBlock } from '../core/events/content.js';

/** One block of an MCP `tools/call` result, as loosely as the SDK types it. */
type McpBlock = { type: string; [key: string]: unknown };

/**
 * MCP result content → tool result blocks: text stays text, images become
 * image blocks, anything else (audio, resources, links) is passed to the
 * model as its JSON so no information is silently dropped.
 */
export function toResultBlocks(content: readonly McpBlock[], structured?: unknown): ToolResultBlock[] {
  const out: ToolResultBlock[] = [];
  for (const block of content) {
    if (block.type === 'text' && typeof block['text'] === 'string') {
      out.push({ type: 'text', text: block['text'] });
    } else if (
      block.type === 'image' &&
      typeof block['data'] === 'string' &&
      typeof block['mimeType'] === 'string'
    ) {
      out.push({
        type: 'image',
        source: { type: 'base64', data: block['data'], media_type: block['mimeType'] },
      });
    } else {
      out.push({ type: 'text', text: JSON.stringify(block) });
    }
  }
  // Tools that return only structured content still owe the model their answer.
  if (out.length === 0 && structured !== undefined)
    out.push({ type: 'text', text: JSON.stringify(structured) });
  return out;
}
