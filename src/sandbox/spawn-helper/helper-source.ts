/**
 * The spawn helper's whole program, run as `node -e` (no bundle, only `net` and
 * `child_process`, so its forks copy a small process; decision 0027).
 *
 * For each request it connects one socket per piped stdio slot to the server's
 * listener, writes a header naming the spawn, the slot and the spawn's token,
 * hands the sockets to the child as its fds and closes its own copies at once,
 * so the server and the child talk directly and EOF reaches the server when the
 * child (and whatever inherited the fd) is gone. The sockets are paused before
 * they connect: the helper never reads a byte meant for the child or the server.
 * It reports `spawned` (pid), `exit` (code, signal) or `error` over IPC, and
 * exits when the server goes (IPC disconnect, also after kill -9), which ends
 * children tied to it by pdeathsig (bwrap --die-with-parent, the relay).
 */
export const SPAWN_HELPER_SOURCE = `
const net = require('node:net');
const { spawn } = require('node:child_process');
process.on('disconnect', () => process.exit(0));
const send = (message) => { if (process.connected) process.send(message); };
function connectOnce(path, header) {
  return new Promise((resolve, reject) => {
    const socket = new net.Socket();
    socket.pause();
    socket.once('error', reject);
    socket.connect(path, () => socket.write(header, (error) => (error ? reject(error) : resolve(socket))));
  });
}
async function connectSlot(path, header) {
  // A full accept backlog (a burst of spawns while the server's loop is busy) refuses a Unix
  // socket connect with EAGAIN at once instead of queueing it: wait and try again.
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectOnce(path, header);
    } catch (error) {
      if (error.code !== 'EAGAIN' || attempt >= 1000) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.min(attempt, 40)));
    }
  }
}
process.on('message', async (request) => {
  const sockets = [];
  try {
    const stdio = await Promise.all(request.stdio.map(async (kind, slot) => {
      if (kind !== 'pipe') return 'ignore';
      const socket = await connectSlot(request.socketPath, request.id + ' ' + slot + ' ' + request.token + '\\n');
      sockets.push(socket);
      return socket;
    }));
    const child = spawn(request.file, request.args, { env: request.env, stdio, detached: request.detached });
    for (const socket of sockets) socket.destroy();
    child.on('error', (error) => send({ kind: 'error', id: request.id, message: error.message }));
    if (child.pid === undefined) return;
    send({ kind: 'spawned', id: request.id, pid: child.pid });
    child.on('exit', (code, signal) => send({ kind: 'exit', id: request.id, code, signal }));
  } catch (error) {
    for (const socket of sockets) socket.destroy();
    send({ kind: 'error', id: request.id, message: error.message });
  }
});
`;
