/**
 * The code the confined process runs (as `node --input-type=module -e`, so it needs no file to
 * read). It reads one line `{source, input}` from stdin, defines the program's API on top of a
 * JSON-lines protocol (requests out on stdout, answers in on stdin), runs the program as the
 * body of an async function, and reports how it ended. Plain JavaScript: it is not compiled.
 */
export const PROGRAM_HOST_SOURCE = String.raw`
import { createInterface } from 'node:readline';
const write = process.stdout.write.bind(process.stdout);
const send = (message) => write(JSON.stringify(message) + '\n');
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
const pending = new Map();
let nextCall = 0;
let start;
const started = new Promise((resolve) => { start = resolve; });
lines.on('line', (line) => {
  let message;
  try { message = JSON.parse(line); } catch { return; }
  if (message.type === 'start') return start(message);
  if (message.type !== 'answer') return;
  const waiter = pending.get(message.call);
  if (!waiter) return;
  pending.delete(message.call);
  if (message.ok) waiter.resolve(message.value);
  else waiter.reject(new Error(String(message.message)));
});
lines.on('close', () => process.exit(0));
const request = (op, fields) => {
  const call = nextCall++;
  return new Promise((resolve, reject) => {
    pending.set(call, { resolve, reject });
    send({ type: 'request', call, op, ...fields });
  });
};
const text = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
const agent = (prompt, options = {}) => {
  if (typeof prompt !== 'string' || prompt.trim() === '') throw new TypeError('agent(prompt): prompt must be a non-empty string');
  return request('agent', { prompt, agent: options.agent });
};
const phase = async (name, body) => {
  await request('phase_start', { phase: String(name) });
  try { return typeof body === 'function' ? await body() : undefined; }
  finally { await request('phase_end', { phase: String(name) }); }
};
const log = (...parts) => { void request('log', { message: parts.map(text).join(' ') }).catch(() => {}); };
const budget = () => request('budget', {});
globalThis.console = { log, info: log, warn: log, error: log, debug: log };
const { source, input } = await started;
try {
  const AsyncFunction = (async () => {}).constructor;
  const program = new AsyncFunction('agent', 'phase', 'log', 'budget', 'input', source);
  const value = await program(agent, phase, log, budget, input);
  send({ type: 'done', value: value === undefined ? null : value });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.name + ': ' + error.message : text(error) });
}
`;
