/**
 * A Python script for inside a sandbox: opens `connections` connections to the egress relay,
 * each with half a request so the proxy waits, writes how many it holds to /tmp/held, holds
 * them until /tmp/release exists, then closes them and writes /tmp/done.
 */
export function relayFloodHolder(connections: number, connectSeconds: number): string {
  return `import socket, select, time, os
conns, pending = [], []
for _ in range(${connections}):
    s = socket.socket(); s.setblocking(False)
    s.connect_ex(("127.0.0.1", 3128)); pending.append(s)
deadline = time.time() + ${connectSeconds}
while pending and time.time() < deadline:
    _, ready, _ = select.select([], pending, [], 1)
    for s in ready:
        pending.remove(s)
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            s.send(b"GET http://flood.invalid/ HTTP/1.1\\r\\n"); conns.append(s)
open("/tmp/held", "w").write(str(len(conns)))
while not os.path.exists("/tmp/release"): time.sleep(0.1)
for s in conns: s.close()
open("/tmp/done", "w").write("1")
`;
}
