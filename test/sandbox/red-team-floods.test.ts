import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import type { OnOutputs } from '../../src/sandbox/outputs/output-collector.js';
import { isIdle, openEventReader, type StreamEvent } from '../support/harness-fixture.js';
import { bwrapCase } from './drivers.js';
import { type RedTeam, startRedTeam } from './red-team-fixture.js';
import { relayFloodHolder } from './relay-flood.js';

/**
 * Issue #12, "a server under the relay, output and body floods stays under a documented memory
 * ceiling and keeps answering other sessions" (docs/security.md, "Memory under floods"). One
 * session holds all three floods at once: ten 10 MiB POSTs with a secret to an upstream that never
 * answers (the body budget holds six), 300 half-sent connections on its egress relay, and three
 * sparse 300 MiB files in its outputs. Meanwhile a second session runs a bash turn and /health
 * answers. Nothing here measures speed: every wait is on an outcome, with generous bounds.
 */
const MIB = 1024 * 1024;
const BODY_BUDGET_MB = 64; // the default of PADDOCK_EGRESS_BODY_BUDGET_MB
const OUTPUT_BUDGET_MB = 400;
/** docs/security.md: 2 x the body budget + 256 MiB (output streaming, relay sockets, a second session, GC slack). */
const CEILING = (2 * BODY_BUDGET_MB + 256) * MIB;
const FLOOD = 300;
const POSTS = 10;
const VALUE = 'sk-live-flood-0123456789-REAL';

const bwrap = await bwrapCase();
const skip =
  bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'runs the bwrap driver as root, with the proxy');

const HOLDER = relayFloodHolder(FLOOD, 60);

const post = (i: number) =>
  `nohup sh -c 'curl -sS -o /dev/null -w "%{http_code}\\n" --max-time 3000 -X POST --data-binary @/tmp/big ` +
  `-H "Authorization: Bearer $MY_TOKEN" http://api.allowed.test:8081/ > /tmp/status.${i}' </dev/null >/dev/null 2>&1 &`;

/** Bodies held, then the relay flood: both stay up in the background after the tool call returns. */
const START_FLOODS = [
  `cat > /tmp/hold.py <<'EOF'\n${HOLDER}EOF`,
  'rm -f /tmp/status.* /tmp/held /tmp/release; head -c 10485760 /dev/zero | tr "\\0" a > /tmp/big',
  ...Array.from({ length: POSTS }, (_, i) => post(i + 1)),
  // Past the budget the proxy answers 503 as soon as a length is declared: wait (bounded) for the
  // uploads that end. Every wait here is bounded, so a wrong outcome fails the assertions below
  // instead of hanging the test (it once waited forever for 503s that came back as resets).
  `for n in $(seq 1 600); do [ "$(cat /tmp/status.* 2>/dev/null | grep -c .)" -ge ${POSTS - Math.floor(BODY_BUDGET_MB / 10)} ] && break; sleep 0.5; done`,
  'nohup python3 /tmp/hold.py >/tmp/hold.log 2>&1 </dev/null &',
  'for n in $(seq 1 600); do [ -s /tmp/held ] && break; sleep 0.5; done',
  'echo "refused=$(cat /tmp/status.* | grep -c 503) relay=$(cat /tmp/held)"',
  'echo "statuses=$(cat /tmp/status.* | tr "\\n" ,)"; cat /tmp/hold.log',
].join('\n');

describe('red team: relay, output and body floods at once (issue #12)', { skip }, () => {
  let team: RedTeam;
  const stored: Array<{ path: string; bytes: number }> = [];
  const exhausted: string[] = [];
  let outputsDir = '';

  /** Streams each output to a file, as the filesystem blob store does. */
  const diskSink: OnOutputs = {
    async store(_sessionId, file) {
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      const target = join(outputsDir, `${stored.length}-${file.path.replace(/\W/g, '_')}`);
      await pipeline(file.content, count, createWriteStream(target));
      stored.push({ path: file.path, bytes });
    },
    async budgetExhausted(_sessionId, message) {
      exhausted.push(message);
    },
  };

  before(async () => {
    team = await startRedTeam(bwrap, {
      onOutputs: diskSink,
      env: { PADDOCK_SESSION_OUTPUT_MAX_MB: String(OUTPUT_BUDGET_MB) },
    });
    outputsDir = join(team.config.dataDir, 'flood-outputs');
    await mkdir(outputsDir);
  });
  after(async () => {
    await team?.close();
  });

  /** One user message; the scripted turns are keyed by `match` so two sessions can share the model. */
  const turn = async (sessionId: string, text: string, predicate: (event: StreamEvent) => boolean) => {
    const reader = await openEventReader(team.client, sessionId);
    try {
      await team.client.beta.sessions.events.send(sessionId, {
        events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
      });
      return await reader.until(predicate, 900_000);
    } finally {
      reader.close();
    }
  };
  const toolText = (events: StreamEvent[]) =>
    events
      .filter((event) => event.type === 'agent.tool_result')
      .map((event) =>
        (event['content'] as Array<{ text?: string }>).map((block) => block.text ?? '').join(''),
      )
      .join('\n');
  const bashTurns = (match: string, command: string, resultMatch: string) => [
    {
      match,
      content: [{ type: 'tool_use' as const, name: 'bash', input: { command, timeout_ms: 900_000 } }],
    },
    { match: resultMatch, content: [{ type: 'text' as const, text: 'done' }] },
  ];

  it(`stays under ${CEILING / MIB} MiB of RSS growth and serves a second session and /health`, async () => {
    const { client, model } = team.fixture;
    const vault = await client.beta.vaults.create({ display_name: 'flood' });
    await client.beta.vaults.credentials.create(vault.id, {
      auth: {
        type: 'environment_variable',
        secret_name: 'MY_TOKEN',
        secret_value: VALUE,
        injection_location: { header: true, body: true },
        networking: { type: 'limited', allowed_hosts: ['api.allowed.test'] },
      },
    });
    const limited = { type: 'limited', allowed_hosts: ['api.allowed.test:8081'] };
    const flooder = await team.session(limited, [vault.id]);
    const bystander = await team.session({ type: 'limited', allowed_hosts: [] });

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    let healthy = 0;
    let sampling = true;
    const health = (async () => {
      while (sampling) {
        const response = await fetch(`${team.fixture.server.url}/health`);
        assert.equal(response.status, 200);
        await response.body?.cancel();
        healthy++;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    try {
      // 1. The body flood and the relay flood, held in the background.
      model.push(bashTurns('start the floods', START_FLOODS, 'refused='));
      const started = toolText(await turn(flooder, 'start the floods', isIdle));
      process.stderr.write(`floods: ${started}; ${team.held.length} bodies held upstream\n`);
      assert.match(
        started,
        new RegExp(`^refused=${POSTS - Math.floor(BODY_BUDGET_MB / 10)} relay=\\d+$`, 'm'),
      );
      const relayHeld = Number(/relay=(\d+)/.exec(started)?.[1]);
      assert.ok(relayHeld > 0, 'the relay flood holds connections');
      assert.ok(team.held.length <= Math.floor(BODY_BUDGET_MB / 10), `${team.held.length} bodies held`);

      // 2. The output flood (collected at the turn's end) while a second session runs a bash call.
      model.push(
        bashTurns(
          'fill the outputs',
          'cd /mnt/session/outputs && for i in 1 2 3; do truncate -s 300M sparse$i.bin; done; ls | tr "\\n" " "',
          'sparse3.bin',
        ),
      );
      model.push(bashTurns('second session', 'echo "second-$((6 * 7))"', 'second-42'));
      const [outputs, second] = await Promise.all([
        (async () => {
          const events = await turn(flooder, 'fill the outputs', isIdle);
          // Collection ends with the budget message; it may land after the idle event (bounded wait).
          const deadline = Date.now() + 300_000;
          while (exhausted.length === 0 && Date.now() < deadline)
            await new Promise((resolve) => setTimeout(resolve, 200));
          return events;
        })(),
        turn(bystander, 'second session', isIdle),
      ]);
      assert.match(toolText(outputs), /sparse3\.bin/);
      assert.equal(toolText(second), 'second-42');
    } finally {
      sampling = false;
      await health;
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    process.stderr.write(
      `floods: server RSS ${Math.round(baseline / MIB)} MiB -> peak ${Math.round(peak / MIB)} MiB ` +
        `(+${Math.round(growth / MIB)}, ceiling ${CEILING / MIB}); /health answered ${healthy} times; ` +
        `outputs stored ${stored.map((file) => `${file.path} ${file.bytes / MIB} MiB`).join(', ')}\n`,
    );
    assert.ok(healthy > 0, '/health answered during the floods');
    assert.ok(growth < CEILING, `server RSS grew by ${Math.round(growth / MIB)} MiB`);
    assert.deepEqual(
      stored.map((file) => file.bytes),
      [300 * MIB],
      'one sparse file fits the output budget',
    );
    assert.match(exhausted[0] ?? '', /PADDOCK_SESSION_OUTPUT_MAX_MB/);

    // Released, the flooding session's relay serves again (the proxy's refusal comes back through it).
    model.push(
      bashTurns(
        'release',
        'touch /tmp/release; end=$((SECONDS + 300)); while [ $SECONDS -lt $end ]; do c=$(curl -sS --max-time 20 -o /dev/null -w \'%{http_code}\' http://flood.invalid/); [ "$c" = 403 ] && break; sleep 0.5; done; echo "after=$c"',
        'after=',
      ),
    );
    assert.equal(toolText(await turn(flooder, 'release', isIdle)), 'after=403');
  });
});
