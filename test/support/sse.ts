import { TEST_ADMIN_KEY } from './server.js';

export interface SseFrame {
  event: string | null;
  id: string | null;
  data: string;
  comment: boolean;
}

/** A raw SSE reader over fetch, for what the SDK hides (ids, comments, headers). */
export class RawSse {
  private buffer = '';
  private readonly frames: SseFrame[] = [];
  private done = false;

  private constructor(
    readonly response: Response,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly controller: AbortController,
  ) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<RawSse> {
    const controller = new AbortController();
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, accept: 'application/json', ...headers },
      signal: controller.signal,
    });
    if (!response.body) throw new Error('no body');
    return new RawSse(response, response.body.getReader(), controller);
  }

  /** The next frame (comments included), or undefined when the server closed the stream. */
  async next(timeoutMs = 5000): Promise<SseFrame | undefined> {
    const deadline = Date.now() + timeoutMs;
    const decoder = new TextDecoder();
    for (;;) {
      const frame = this.frames.shift();
      if (frame) return frame;
      if (this.done) return undefined;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('timed out waiting for an SSE frame');
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out waiting for an SSE frame')), remaining);
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) this.done = true;
      else this.parse(decoder.decode(chunk.value, { stream: true }));
    }
  }

  /** Next frame that is not a comment. */
  async nextEvent(timeoutMs = 5000): Promise<SseFrame | undefined> {
    for (;;) {
      const frame = await this.next(timeoutMs);
      if (!frame?.comment) return frame;
    }
  }

  close(): void {
    this.controller.abort();
  }

  private parse(text: string): void {
    this.buffer += text;
    let index = this.buffer.indexOf('\n\n');
    while (index >= 0) {
      const block = this.buffer.slice(0, index);
      this.buffer = this.buffer.slice(index + 2);
      const frame: SseFrame = { event: null, id: null, data: '', comment: false };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comment = true;
        else if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('id: ')) frame.id = line.slice(4);
        else if (line.startsWith('data: ')) frame.data += line.slice(6);
      }
      this.frames.push(frame);
      index = this.buffer.indexOf('\n\n');
    }
  }
}
