import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxDriver } from '../../src/core/ports/sandbox.js';
import type { EgressNet } from '../../src/sandbox/network/egress-proxy.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import type { CreateOptions, DriverCase } from './drivers.js';
import { selfSigned, startUpstreams } from './tls-fixture.js';

/**
 * Issue #12's attacks, run the way an attacker would: an API key holder
 * drives the official SDK, and the scripted model runs bash/curl inside a
 * real bwrap sandbox. Test names resolve to a TEST-NET-3 address that the
 * dialer routes by port to loopback upstreams (8080: HTTP, 8443: HTTPS,
 * 8081: an upstream that never answers); any other address the proxy dials
 * is dialed for real, so a check the proxy fails to make shows up as a
 * request reaching a host service. Nothing is sent off this machine.
 */
export const TEST_NET_ADDRESS = '203.0.113.7';
export const UPSTREAM_NAMES = ['api.allowed.test', 'evil.test', 'denied.example'];

export interface RedTeam {
  client: Anthropic;
  fixture: HarnessFixture;
  driver: SandboxDriver;
  config: PaddockConfig;
  upstreams: Awaited<ReturnType<typeof startUpstreams>>;
  /** Requests the never-answering upstream (port 8081) has received and holds. */
  held: IncomingMessage[];
  /** Addresses the proxy dialed, in order. */
  dialed: string[];
  /** Creates an agent and a session in an environment with this networking and these vaults. */
  session(networking: Record<string, unknown>, vaultIds?: string[]): Promise<string>;
  /** One turn in which the model runs `command` with bash; the tool result's text. */
  bash(sessionId: string, command: string): Promise<string>;
  close(): Promise<void>;
}

export async function startRedTeam(bwrap: DriverCase, options: CreateOptions = {}): Promise<RedTeam> {
  const tls = selfSigned(UPSTREAM_NAMES);
  const upstreams = await startUpstreams(tls);
  const held: IncomingMessage[] = [];
  const holding: Server = createServer((req) => {
    req.pause(); // neither read nor answered: the proxy keeps what it buffered
    held.push(req);
  });
  await new Promise<void>((resolve) => holding.listen(0, '127.0.0.1', resolve));
  const holdingPort = (holding.address() as { port: number }).port;
  const dialed: string[] = [];
  const net: EgressNet = {
    resolve: async () => [TEST_NET_ADDRESS],
    dial: (address, port) => {
      dialed.push(address);
      if (address !== TEST_NET_ADDRESS) return connect({ host: address, port });
      const local =
        port === 8443 ? upstreams.ports.https : port === 8081 ? holdingPort : upstreams.ports.http;
      return connect({ host: '127.0.0.1', port: local });
    },
  };
  const dataDir = await mkdtemp(join(tmpdir(), 'paddock-red-team-'));
  const caFile = join(dataDir, 'upstream-ca.pem');
  await writeFile(caFile, tls.cert);
  const { driver, config } = await bwrap.create({
    ...options,
    egressNet: net,
    dataDir,
    env: { PADDOCK_EGRESS_EXTRA_CA_FILE: caFile, ...options.env },
  });
  const fixture = await startHarnessFixture('sqlite', [], { sandboxes: driver });
  const { client, model } = fixture;
  return {
    client,
    fixture,
    driver,
    config,
    upstreams,
    held,
    dialed,
    async session(networking, vaultIds = []) {
      const agent = await client.beta.agents.create({
        name: 'red team',
        model: 'claude-sonnet-4-6',
        tools: [{ type: 'agent_toolset_20260401' }],
      });
      const environment = await client.beta.environments.create({
        name: `red-team-${Math.random().toString(36).slice(2)}`,
        config: { type: 'cloud', networking: networking as never },
      });
      const session = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        vault_ids: vaultIds,
      });
      return session.id;
    },
    async bash(sessionId, command) {
      model.push([
        { content: [{ type: 'tool_use', name: 'bash', input: { command } }], stop_reason: 'tool_use' },
        { content: [{ type: 'text', text: 'done' }] },
      ]);
      // A loaded CI machine can take a while to start a sandbox: wait for the idle event, however long.
      const stream = await openEventReader(client, sessionId);
      const events = await (async () => {
        try {
          await client.beta.sessions.events.send(sessionId, {
            events: [{ type: 'user.message', content: [{ type: 'text', text: 'run it' }] }],
          });
          return await stream.until(isIdle, 300_000);
        } finally {
          stream.close();
        }
      })();
      const result = events.find((event) => event.type === 'agent.tool_result');
      const text = result?.['content']?.[0]?.text;
      if (typeof text !== 'string') throw new Error(`no tool result: ${JSON.stringify(events)}`);
      return text;
    },
    async close() {
      for (const req of held) req.socket.destroy();
      await fixture.close(); // closes the sandbox driver too
      holding.close();
      await upstreams.close();
      await rm(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** curl inside the sandbox: the body, then the status code. */
export const curl = (args: string) => `curl -sS --max-time 20 -o - -w ' %{http_code}' ${args} 2>&1; true`;

/** One line per probe: `label: <status> <CONNECT status> <body on one line>` (000: none). */
export const probe = (label: string, args: string) =>
  `echo "${label}: $(curl -sS --max-time 20 -o /tmp/probe.out -w '%{http_code} %{http_connect}' ${args} 2>/dev/null) $(tr '\n' ' ' < /tmp/probe.out 2>/dev/null)"`;
