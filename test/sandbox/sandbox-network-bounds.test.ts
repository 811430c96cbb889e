import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { POOLED_FROM } from '../../src/sandbox/bwrap/bwrap-pool.js';
import { sessionLayer } from '../../src/sandbox/bwrap/session-layer.js';
import { natUnavailable } from '../../src/sandbox/network/nat-host.js';
import { gatewayOf, parseSubnet } from '../../src/sandbox/network/nat-link.js';
import { NAT_TABLE } from '../../src/sandbox/network/nat-rules.js';
import { MAX_RELAY_CONNECTIONS } from '../../src/sandbox/network/netns-forwarder.js';
import { type ApiSandbox, startApiSandbox } from './api-bash.js';
import { bwrapCase } from './drivers.js';
import { relayFloodHolder } from './relay-flood.js';

/**
 * Issue #12, findings 7 and 10, through the API with the scripted model: a
 * connection flood on a sandbox's egress relay makes a bounded number of host
 * processes, all inside the session's cgroup, and the relay still works
 * after; and an unrestricted sandbox reaches UDP port 53 only on its DNS
 * relay, not on the host's other addresses.
 */
const bwrap = await bwrapCase();

const FLOOD = 300;
const HOLDER = relayFloodHolder(FLOOD, 20);

/**
 * The id the session's sandbox is named by on the host: its own, or, when the sandbox came from the
 * warm pool, the member's (its egress socket and cgroup keep the member's name: bwrap-pool.ts).
 */
function sandboxName(dataDir: string, sessionId: string): string {
  const pooledFrom = join(sessionLayer(dataDir, sessionId).dir, POOLED_FROM);
  return existsSync(pooledFrom) ? readFileSync(pooledFrom, 'utf8') : sessionId;
}

/** Host processes whose command line names this session's proxy socket: the relay and its children. */
function relayProcesses(dataDir: string, sessionId: string): number[] {
  const sandbox = sandboxName(dataDir, sessionId);
  const name = createHash('sha256').update(`${dataDir}\0${sandbox}`).digest('hex').slice(0, 24);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`${name}.sock`)) pids.push(Number(entry));
    } catch {
      // Exited between the listing and the read.
    }
  }
  return pids;
}

const cgroupOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return '';
  }
};

describe('egress relay flood (bwrap, limited networking)', { skip: bwrap.skip }, () => {
  let api: ApiSandbox;
  before(async () => {
    api = await startApiSandbox(bwrap);
  });
  after(async () => api?.close());

  it(`${FLOOD} connections make at most ${MAX_RELAY_CONNECTIONS + 1} host processes, all in the session's cgroup`, async () => {
    const session = await api.newSession('limited');
    await api.bashTurn(session, [{ command: `cat > /tmp/hold.py <<'EOF'\n${HOLDER}EOF` }]);
    let most = 0;
    let outside: string[] = [];
    let watching = true;
    // Counted for as long as the flood is held (the tool call below returns once every connect settled).
    const watch = (async () => {
      while (watching) {
        const pids = relayProcesses(api.config.dataDir, session);
        const sandbox = sandboxName(api.config.dataDir, session);
        most = Math.max(most, pids.length);
        outside = [
          ...outside,
          ...pids.filter((pid) => cgroupOf(pid) && !cgroupOf(pid).includes(`/${sandbox}-`)).map(String),
        ];
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const [held] = await api.bashTurn(session, [
      {
        command:
          'rm -f /tmp/held /tmp/release /tmp/done; nohup python3 /tmp/hold.py >/tmp/hold.log 2>&1 & ' +
          'while [ ! -s /tmp/held ]; do sleep 0.2; done; echo "held $(cat /tmp/held)"',
        timeout_ms: 120_000,
      },
    ]);
    watching = false;
    await watch;
    const relays = relayProcesses(api.config.dataDir, session);
    assert.match(held ?? '', /^held \d+$/, held);
    process.stderr.write(`relay flood: ${held}; at most ${most} relay processes on the host\n`);
    assert.ok(relays.length > 0, 'the relay runs');
    assert.ok(most <= MAX_RELAY_CONNECTIONS + 1, `${most} relay processes for ${held}`);
    assert.deepEqual(outside, [], "relay processes outside the session's cgroup");
    // Released, the relay serves new connections: the proxy's own refusal comes back through it.
    const [served] = await api.bashTurn(session, [
      {
        command:
          'touch /tmp/release; while [ ! -e /tmp/done ]; do sleep 0.2; done; ' +
          "curl -sS --max-time 20 -o /dev/null -w '%{http_code}' http://flood.invalid/",
        timeout_ms: 120_000,
      },
    ]);
    assert.equal(served, '403');
  });
});

const SUBNET = '10.93.0.0/24';
const hostAddress = Object.values(networkInterfaces())
  .flatMap((entries) => entries ?? [])
  .find((entry) => entry.family === 'IPv4' && !entry.internal)?.address;
const natMissing = bwrap.skip ? undefined : await natUnavailable();
const dnsSkip = bwrap.skip ?? natMissing ?? (hostAddress ? undefined : 'no non-loopback IPv4 address');

/** Sends one datagram to each address's port 53 and prints what came back (`none` after 3 s). */
const DNS_PROBE = (address: string, label: string) =>
  `python3 -c "
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b'${label}-0123456789', ('${address}', 53))
try: print('${label}=' + s.recv(512).decode())
except OSError: print('${label}=none')"`;

describe('UDP port 53 from unrestricted sandboxes (bwrap + NAT)', { skip: dnsSkip }, () => {
  let api: ApiSandbox;
  let server: Socket;
  const received: string[] = [];
  before(async () => {
    // A "DNS server" on the host's own address, port 53: the relay's upstream, and a probe target.
    server = createSocket({ type: 'udp4', reuseAddr: true });
    server.on('message', (message, from) => {
      received.push(message.toString());
      server.send(message, from.port, from.address);
    });
    await new Promise<void>((resolve) => server.bind(53, hostAddress, resolve));
    api = await startApiSandbox(bwrap, {
      env: { PADDOCK_SANDBOX_SUBNET: SUBNET, PADDOCK_SANDBOX_DNS: `${hostAddress}:53` },
    });
  });
  after(async () => {
    await api?.close();
    server?.close();
  });

  it("reaches the relay on its gateway, not the host's other addresses", async () => {
    const session = await api.newSession('unrestricted');
    const gateway = gatewayOf(parseSubnet(SUBNET));
    const [output] = await api.bashTurn(session, [
      { command: `${DNS_PROBE(hostAddress!, 'direct')}; ${DNS_PROBE(gateway, 'relayed')}` },
    ]);
    assert.match(output ?? '', /^relayed=relayed-0123456789$/m, 'the relay answers on the gateway');
    assert.match(output ?? '', /^direct=none$/m, output);
    assert.ok(!received.some((message) => message.startsWith('direct')), received.join(', '));
    const relays = execFileSync('nft', ['list', 'set', 'inet', NAT_TABLE, 'dns_relays'], {
      encoding: 'utf8',
    });
    assert.match(relays, new RegExp(gateway.replaceAll('.', '\\.')));
  });
});
