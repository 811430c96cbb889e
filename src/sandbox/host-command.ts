import { execFile } from 'node:child_process';
import { HOST_PATH } from './bwrap/bwrap-host.js';

/** Runs a host tool (ip, nft, flock, bwrap…) with the host's PATH only; rejects with its stderr. */
export function run(file: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: { PATH: HOST_PATH }, timeout: 10_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
