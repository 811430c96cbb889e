// Server-sent events over fetch: EventSource cannot send the x-api-key header.
// Plain ESM with no DOM use, so Node 20 runs it too (test/console/).

/**
 * An incremental parser for the `text/event-stream` format (WHATWG HTML §9.2.6):
 * lines end in CRLF, LF or CR; `event`, `data` and `id` fields; `:` comments
 * (Paddock's `: ping` heartbeats); a blank line dispatches a frame.
 */
export class SseParser {
  /** @param {{ onComment?: (text: string) => void }} [options] */
  constructor(options = {}) {
    this.onComment = options.onComment;
    this.buffer = '';
    this.pendingCr = false;
    this.reset();
  }

  reset() {
    this.event = '';
    this.data = [];
    this.id = null;
    this.hasData = false;
  }

  /**
   * Feeds decoded text; returns the frames it completed.
   * @param {string} text
   * @returns {Array<{ event: string, id: string | null, data: string }>}
   */
  push(text) {
    const frames = [];
    let chunk = text;
    // A CR at the end of the previous chunk may be the first half of a CRLF.
    if (this.pendingCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.pendingCr = false;
    this.buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      if (match[0] === '\r' && this.buffer === '') this.pendingCr = true;
      const frame = this.line(line);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  /** @param {string} line */
  line(line) {
    if (line === '') {
      if (!this.hasData) {
        this.reset();
        return undefined;
      }
      const frame = { event: this.event || 'message', id: this.id, data: this.data.join('\n') };
      this.reset();
      return frame;
    }
    if (line.startsWith(':')) {
      this.onComment?.(line.slice(1).trimStart());
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') {
      this.data.push(value);
      this.hasData = true;
    } else if (field === 'id' && !value.includes('\0')) this.id = value;
    return undefined;
  }
}

/**
 * Reads a fetch body as SSE frames.
 * @param {ReadableStream<Uint8Array>} body
 * @param {{ onComment?: (text: string) => void }} [options]
 * @returns {AsyncGenerator<{ event: string, id: string | null, data: string }>}
 */
export async function* readSse(body, options = {}) {
  const parser = new SseParser(options);
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    // A frame cut off by the end of the stream is discarded, as the format says.
  } finally {
    // Stops the download when the consumer leaves early (break, return, throw).
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * The error a stream reports in-band (`event: error`) before it closes.
 * @param {{ data: string }} frame
 * @returns {{ type: string, message: string }}
 */
export function streamErrorOf(frame) {
  try {
    const body = JSON.parse(frame.data);
    const error = body?.error ?? body;
    return {
      type: typeof error?.type === 'string' ? error.type : 'api_error',
      message: typeof error?.message === 'string' ? error.message : frame.data,
    };
  } catch {
    return { type: 'api_error', message: frame.data };
  }
}
