import { createInterface } from 'node:readline';

/**
 * Lines typed (or piped) on stdin, asked for one at a time: confirmations
 * read from here, so a script can answer them with a pipe. At end of input
 * every further question reads as the empty answer (deny).
 */
export class StdinAnswers {
  readonly #lines: string[] = [];
  readonly #waiting: Array<(line: string | undefined) => void> = [];
  #ended = false;
  readonly #reader = createInterface({ input: process.stdin, terminal: false });

  constructor() {
    this.#reader.on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    this.#reader.on('close', () => {
      this.#ended = true;
      for (const waiter of this.#waiting.splice(0)) waiter(undefined);
    });
  }

  async ask(question: string): Promise<string | undefined> {
    process.stdout.write(question);
    const line =
      this.#lines.shift() ??
      (this.#ended
        ? undefined
        : await new Promise<string | undefined>((resolve) => this.#waiting.push(resolve)));
    process.stdout.write(`${line ?? ''}\n`);
    return line;
  }

  close(): void {
    this.#reader.close();
  }
}
