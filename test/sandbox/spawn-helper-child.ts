import { spawnHelperPid, spawnInHelper } from '../../src/sandbox/spawn-helper/spawn-helper.js';

// Stands in for a server in spawn-helper.test.ts: starts a shell that waits on its stdin and a
// sleep tied to its parent by pdeathsig (as socat and bwrap are), prints the pids, and waits to
// be killed with -9.
const env = { PATH: '/usr/bin:/bin' };
const shell = spawnInHelper('/bin/bash', ['--norc'], {
  env,
  stdio: ['pipe', 'pipe', 'pipe'],
  detached: true,
});
const tied = spawnInHelper('setpriv', ['--pdeathsig', 'KILL', '--', 'sleep', '300'], {
  env,
  stdio: ['pipe', 'pipe', 'pipe'],
  detached: true,
});
shell.stdin?.write('echo up\n');
shell.stdout?.once('data', () => {
  const report = () => {
    if (tied.pid === undefined) return void setTimeout(report, 10);
    process.stdout.write(
      `${JSON.stringify({ helper: spawnHelperPid(), shell: shell.pid, tied: tied.pid })}\n`,
    );
  };
  report();
});
