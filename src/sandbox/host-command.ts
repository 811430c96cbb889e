import { HOST_PATH } from './bwrap/bwrap-host.js';
import { runInHelper } from './host-command-helper.js';

/**
 * Runs a host tool (ip, nft, flock, bwrap…) with the host's PATH only; rejects with its stderr.
 * The fork happens in the host command helper, off the server's event loop (host-command-helper.ts).
 */
export async function run(file: string, args: string[], input?: string): Promise<string> {
  const reply = await runInHelper({
    file,
    args,
    env: { PATH: HOST_PATH },
    timeoutMs: 10_000,
    ...(input !== undefined ? { input } : {}),
  });
  if (reply.error !== undefined)
    throw new Error(`${file} ${args.join(' ')}: ${reply.stderr.trim() || reply.error}`);
  return reply.stdout;
}
