// Types for sse.js (plain ESM served to the browser as is; the tests import it from TypeScript).

export interface SseFrame {
  event: string;
  id: string | null;
  data: string;
}

export class SseParser {
  constructor(options?: { onComment?: (text: string) => void });
  push(text: string): SseFrame[];
}

export function readSse(
  body: ReadableStream<Uint8Array>,
  options?: { onComment?: (text: string) => void },
): AsyncGenerator<SseFrame>;

export function streamErrorOf(frame: { data: string }): { type: string; message: string };
