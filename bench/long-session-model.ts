import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startLoadModel } from './load-model.js';

/**
 * The long-session bench's model in a process of its own: at 10,000 events of conversation
 * the request is ~0.5 MB, and parsing it is the fake upstream's work, not the server's. In the
 * bench's process it was most of the CPU the length added (issue #21), so the bench's CPU
 * figures (process.cpuUsage) are the server's alone. Wall times still include it, as they
 * would a real upstream's.
 */
export interface ModelProcess {
  url: string;
  close(): Promise<void>;
}

export async function startModelProcess(options: {
  toolSteps: number;
  delayMs: number;
}): Promise<ModelProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), String(options.toolSteps), String(options.delayMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout?.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bench model exited (${code}) before listening`)));
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const line = output.split('\n').find((candidate) => candidate.startsWith('http'));
      if (line) resolve(line.trim());
    });
  });
  return {
    url,
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

// Run as a script (by startModelProcess): serve until killed, the URL on the first line.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const model = await startLoadModel({
    toolSteps: Number(process.argv[2] ?? 1),
    delayMs: Number(process.argv[3] ?? 0),
  });
  process.stdout.write(`${model.url}\n`);
  process.once('SIGTERM', () => {
    void model.close().then(() => process.exit(0));
  });
}
