import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxDriver, SandboxSpec } from '../../src/core/ports/sandbox.js';
import { natUnavailable } from '../../src/sandbox/network/nat-host.js';
import { gatewayOf, parseSubnet } from '../../src/sandbox/network/nat-link.js';
import { natRuleset } from '../../src/sandbox/network/nat-rules.js';
import { assertAllPooled, bwrapCase, POOL_VARIANTS, type PooledDriver, textOf, tool } from './drivers.js';

describe('NAT: subnet and rules', () => {
  it('parses the sandbox subnet and finds its gateway', () => {
    assert.equal(gatewayOf(parseSubnet('10.88.0.0/16')), '10.88.0.1');
    assert.equal(gatewayOf(parseSubnet('10.89.7.9/24')), '10.89.7.1');
    assert.throws(() => parseSubnet('10.88.0.0'), /PADDOCK_SANDBOX_SUBNET/);
    assert.throws(() => parseSubnet('10.300.0.0/16'), /PADDOCK_SANDBOX_SUBNET/);
  });

  it('blocks private, loopback and metadata ranges and the host itself', () => {
    const rules = natRuleset();
    for (const range of ['10.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'])
      assert.ok(rules.includes(range), range);
    assert.match(rules, /iifname "pdk\*" ip daddr @blocked4 drop/);
    assert.match(rules, /iifname "pdk\*" oifname "pdk\*" drop/);
    assert.match(rules, /chain input[\s\S]*iifname "pdk\*" drop/);
  });
});

// The only "internet" here is a network namespace this test makes itself: 198.51.100.10 (public
// by our rules) and 10.99.77.10 (private), behind a host-side veth. No packet leaves the machine.
const NETNS = `pdktest-inet-${process.pid}`;
const HOST_IF = `ptn${process.pid % 100_000}`;
const PUBLIC = '198.51.100.10';
const PRIVATE = '10.99.77.10';
const SUBNET = '10.89.0.0/16';

const bwrap = await bwrapCase();
const natMissing = bwrap.skip ? undefined : await natUnavailable();
const skip = bwrap.skip ?? natMissing;
if (natMissing) process.stderr.write(`SKIP sandbox NAT: ${natMissing}\n`);

/** The sandbox's network interfaces, sorted (it has no /sys). */
const INTERFACES = "awk -F: 'NR>2{gsub(/ /,\"\",$1); print $1}' /proc/net/dev | sort | paste -sd' '";

const sh = (command: string) => execFileSync('sh', ['-c', command], { encoding: 'utf8' });

// A web server and a TCP echo server, both on every address of the fake internet.
const FAKE_SERVERS = `
const http = require('node:http'), net = require('node:net'), dgram = require('node:dgram');
const datagrams = [];
http.createServer((req, res) =>
  res.end(req.url === '/udp' ? datagrams.join(',') : 'FAKE-INTERNET from ' + req.socket.remoteAddress))
  .listen(8080, '0.0.0.0', () => process.stdout.write('ready\\n'));
net.createServer((socket) => socket.pipe(socket)).listen(9000, '0.0.0.0');
dgram.createSocket('udp4').on('message', (message) => datagrams.push(String(message))).bind(9001);`;

for (const { pool } of POOL_VARIANTS)
  describe(`unrestricted networking: NAT (bwrap), pool ${pool}`, { skip }, () => {
    let servers: ChildProcess;
    let dns: Socket;
    let hostService: Server;
    let hostPort = 0;
    const drivers: Array<{ driver: PooledDriver; config: PaddockConfig }> = [];

    before(async () => {
      sh(`ip netns del ${NETNS} 2>/dev/null; ip link del ${HOST_IF} 2>/dev/null; true`);
      sh(`ip netns add ${NETNS}
      ip link add ${HOST_IF} type veth peer name eth0 netns ${NETNS}
      ip addr add 198.51.100.1/24 dev ${HOST_IF}; ip addr add 10.99.77.1/24 dev ${HOST_IF}
      ip link set ${HOST_IF} up
      ip -n ${NETNS} link set lo up; ip -n ${NETNS} link set eth0 up
      ip -n ${NETNS} addr add ${PUBLIC}/24 dev eth0; ip -n ${NETNS} addr add ${PRIVATE}/24 dev eth0
      ip -n ${NETNS} route add default via 198.51.100.1`);
      servers = spawn('ip', ['netns', 'exec', NETNS, process.execPath, '-e', FAKE_SERVERS], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise((resolve) => servers.stdout?.once('data', resolve));
      dns = await fakeDns({ 'www.fake.test': PUBLIC });
      hostService = createServer((_req, res) => res.end('HOST-SERVICE'));
      await new Promise<void>((resolve) => hostService.listen(0, '0.0.0.0', resolve));
      hostPort = (hostService.address() as { port: number }).port;
    });

    after(async () => {
      for (const { driver, config } of drivers) {
        await driver.close();
        await rm(config.dataDir, { recursive: true, force: true });
      }
      servers?.kill('SIGKILL');
      dns?.close();
      hostService?.close();
      sh(`ip netns del ${NETNS} 2>/dev/null; ip link del ${HOST_IF} 2>/dev/null; true`);
    });

    const driverWith = async (env: Record<string, string> = {}) => {
      const dnsPort = (dns.address() as { port: number }).port;
      const created = await bwrap.create({
        env: { PADDOCK_SANDBOX_SUBNET: SUBNET, PADDOCK_SANDBOX_DNS: `127.0.0.1:${dnsPort}`, ...env },
        pool,
      });
      drivers.push(created);
      return created.driver;
    };
    const unrestricted = (sessionId: string): SandboxSpec => ({
      sessionId,
      environmentId: 'env_test',
      network: { type: 'unrestricted' },
    });
    const bash = async (driver: SandboxDriver, spec: SandboxSpec, command: string) =>
      textOf(await tool(await driver.acquire(spec), 'bash', { command: `${command} 2>&1; true` }));
    const curl = (target: string) => `curl -sS --noproxy '*' --max-time 3 -o - -w ' %{http_code}' ${target}`;

    it('reaches public addresses directly, masqueraded behind the host, over any TCP protocol', async () => {
      const driver = await driverWith();
      const spec = unrestricted('nat1');
      assert.equal(await bash(driver, spec, INTERFACES), 'eth0 lo');
      assert.equal(
        await bash(driver, spec, curl(`http://${PUBLIC}:8080/`)),
        'FAKE-INTERNET from 198.51.100.1 200',
      );
      const echo = `exec 3<>/dev/tcp/${PUBLIC}/9000; echo raw-tcp-ok >&3; head -n1 <&3`;
      assert.equal((await bash(driver, spec, echo)).trim(), 'raw-tcp-ok');
    });

    it('resolves names through the host-side DNS relay', async () => {
      const driver = await driverWith();
      const spec = unrestricted('nat2');
      assert.equal(
        await bash(driver, spec, curl('http://www.fake.test:8080/')),
        'FAKE-INTERNET from 198.51.100.1 200',
      );
    });

    it('cannot reach private ranges, the host, or another sandbox', async () => {
      const driver = await driverWith();
      const spec = unrestricted('nat3');
      const refused = / 000$/;
      assert.match(await bash(driver, spec, curl(`http://${PRIVATE}:8080/`)), refused);
      assert.match(
        await bash(driver, spec, curl(`http://${gatewayOf(parseSubnet(SUBNET))}:${hostPort}/`)),
        refused,
      );
      for (const address of hostAddresses())
        assert.match(await bash(driver, spec, curl(`http://${address}:${hostPort}/`)), refused, address);
      const other = unrestricted('nat4');
      // Wait until the server answers (not a fixed sleep: a loaded machine starts python slowly).
      await bash(
        driver,
        other,
        `nohup python3 -m http.server 8081 >/dev/null 2>&1 & for i in $(seq 1 300); do ${curl('http://127.0.0.1:8081/')} >/dev/null && break; sleep 0.1; done`,
      );
      const otherAddress = (await bash(driver, other, 'hostname -I')).trim();
      assert.match(otherAddress, /^10\.89\./);
      assert.match(await bash(driver, other, curl('http://127.0.0.1:8081/')), / 200$/, 'the server runs');
      assert.match(await bash(driver, spec, curl(`http://${otherAddress}:8081/`)), refused);
    });

    it('drops packets from an address the sandbox gave itself (reverse-path check)', async () => {
      const driver = await driverWith();
      const spec = unrestricted('nat10');
      const own = (await bash(driver, spec, 'hostname -I')).trim();
      // A sandbox is root in its own network namespace; do what it could do with any netlink tool.
      const pid = sandboxInitPid(own);
      const spoofed = '10.89.77.77';
      sh(`nsenter --target=${pid} --net ip addr add ${spoofed}/32 dev eth0`);
      // UDP, so that whether a packet arrived is visible even though no answer could come back.
      const send = (source: string, text: string) =>
        `python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('${source}', 0)); s.sendto(b'${text}', ('${PUBLIC}', 9001))"`;
      await bash(driver, spec, `${send(own, 'honest')}; ${send(spoofed, 'spoofed')}; sleep 0.3`);
      const arrived = sh(`curl -sS --max-time 3 http://${PUBLIC}:8080/udp`);
      assert.match(arrived, /honest/, 'a datagram from its own address arrives');
      assert.doesNotMatch(arrived, /spoofed/);
    });

    it('claims distinct slots when sandboxes collide in a small subnet', async () => {
      // A /29 has 5 slots: three sandboxes starting at once pick random slots and must retry.
      const driver = await driverWith({ PADDOCK_SANDBOX_SUBNET: '10.89.200.0/29' });
      const specs = ['nat7', 'nat8', 'nat9'].map(unrestricted);
      const addresses = await Promise.all(
        specs.map(async (spec) => (await bash(driver, spec, 'hostname -I')).trim()),
      );
      assert.equal(new Set(addresses).size, 3, addresses.join(', '));
      for (const address of addresses) assert.match(address, /^10\.89\.200\.[2-6]$/);
      for (const spec of specs)
        assert.match(await bash(driver, spec, curl(`http://${PUBLIC}:8080/`)), / 200$/, spec.sessionId);
    });

    it('gives limited sandboxes no route at all', async () => {
      const driver = await driverWith();
      const limited: SandboxSpec = { ...unrestricted('nat5'), network: { type: 'limited' } };
      assert.equal(await bash(driver, limited, INTERFACES), 'lo');
      assert.match(await bash(driver, limited, curl(`http://${PUBLIC}:8080/`)), / 000$/);
    });

    it('opens private ranges only when the operator allows them', async () => {
      const driver = await driverWith({ PADDOCK_ALLOW_PRIVATE_NETWORKS: 'true' });
      const spec = unrestricted('nat6');
      assert.equal(
        await bash(driver, spec, curl(`http://${PRIVATE}:8080/`)),
        'FAKE-INTERNET from 10.99.77.1 200',
      );
    });

    it('every session above got a pooled sandbox', { skip: pool === 0 }, () => {
      for (const { driver } of drivers) assertAllPooled(driver);
    });
  });

/** The pid 1 (`sleep`) of the sandbox whose network namespace holds `address`. */
function sandboxInitPid(address: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (processName(entry) !== 'sleep') continue;
    const addresses = sh(`nsenter --target=${entry} --net hostname -I 2>/dev/null || true`);
    if (addresses.split(/\s+/).includes(address)) return Number(entry);
  }
  throw new Error(`no sandbox holds ${address}`);
}

/** A process's name, or undefined when it exited between the /proc listing and the read (other tests run alongside). */
function processName(pid: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry.address);
}

/** Answers A queries for the given names from loopback (so the relay never asks a real resolver). */
async function fakeDns(names: Record<string, string>): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (query, from) => {
    let offset = 12;
    const labels: string[] = [];
    while (query[offset]) {
      const length = query[offset]!;
      labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
      offset += length + 1;
    }
    const question = query.subarray(12, offset + 5);
    const qtype = query.readUInt16BE(offset + 1);
    const address = qtype === 1 ? names[labels.join('.').toLowerCase()] : undefined;
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(address ? 0x8180 : 0x8183, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(address ? 1 : 0, 6);
    const answer = address
      ? Buffer.concat([
          Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]),
          Buffer.from(address.split('.').map(Number)),
        ])
      : Buffer.alloc(0);
    socket.send(Buffer.concat([header, question, answer]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}
