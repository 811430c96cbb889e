import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxDriver } from '../../src/core/ports/sandbox.js';
import { DENIED_SYSCALLS } from '../../src/sandbox/seccomp/syscalls.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import { bwrapCase } from './drivers.js';

/**
 * Issue #12, findings 5 and 6, through the API with the scripted model: the
 * sandbox may rewrite its own filesystem, /usr/bin/setpriv and /usr/bin/env
 * included, and still every later tool call runs with no capabilities,
 * no_new_privs and the seccomp filter; the filter denies io_uring, the
 * keyring, ptrace (of pid 1 too) and new user namespaces.
 */
const bwrap = await bwrapCase();

/** The sandbox's root may overwrite these; a fake that keeps privileges runs the rest of the command line. */
const FAKE_SETPRIV = '#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n';
const FAKE_ENV = '#!/bin/bash\nshift\nwhile [[ "$1" == *=* ]]; do export "$1"; shift; done\nexec "$@"\n';
const STATUS = "grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status";

const arch = process.arch === 'arm64' ? 1 : 0;
const nr = (name: string) => DENIED_SYSCALLS[name]?.[arch];
/** python3 with ctypes: each probe prints `name=<errno>`, 0 when the call succeeded. */
const SYSCALL_PROBE = `python3 - <<'EOF'
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def probe(name, *args):
    result = libc.syscall(*args)
    print(f"{name}={0 if result >= 0 else ctypes.get_errno()}")
params = ctypes.create_string_buffer(120)
probe("io_uring_setup", ${nr('io_uring_setup')}, 1, params)
probe("keyctl", ${nr('keyctl')}, 0, -3, 0)
probe("ptrace_pid1", ${nr('ptrace')}, 16, 1, 0, 0)
probe("bpf", ${nr('bpf')}, 0, 0, 0)
probe("mount", ${nr('mount')}, b"none", b"/mnt", b"tmpfs", 0, 0)
EOF`;

describe('sandbox confinement through the API (bwrap)', { skip: bwrap.skip }, () => {
  let driver: SandboxDriver;
  let config: PaddockConfig;
  let fixture: HarnessFixture;
  before(async () => {
    ({ driver, config } = await bwrap.create());
    fixture = await startHarnessFixture('sqlite', [], { sandboxes: driver });
  });
  after(async () => {
    await fixture?.close();
    await driver?.close();
    if (config) await rm(config.dataDir, { recursive: true, force: true });
  });

  const newSession = async () => {
    const { client } = fixture;
    const agent = await client.beta.agents.create({
      name: 'Confinement probe',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401' }],
    });
    const environment = await client.beta.environments.create({
      name: `env-${Math.random().toString(36).slice(2)}`,
      config: { type: 'cloud', networking: { type: 'limited' } },
    });
    return (await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id })).id;
  };

  /** One turn in which the model calls bash once per input; the tool results' texts, in order. */
  const bashTurn = async (sessionId: string, inputs: Array<Record<string, unknown>>): Promise<string[]> => {
    const { client, model } = fixture;
    model.push([
      ...inputs.map((input) => ({ content: [{ type: 'tool_use' as const, name: 'bash', input }] })),
      { content: [{ type: 'text' as const, text: 'done' }] },
    ]);
    const reader = await openEventReader(client, sessionId);
    try {
      await client.beta.sessions.events.send(sessionId, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
      });
      const events = await reader.until(isIdle, 120_000);
      return events
        .filter((event) => event.type === 'agent.tool_result')
        .map((event) =>
          (event.content as Array<{ text?: string }>).map((block) => block.text ?? '').join(''),
        );
    } finally {
      reader.close();
    }
  };

  const assertConfined = (status: string | undefined) => {
    assert.match(status ?? '', /CapEff:\s+0000000000000000/, status);
    assert.match(status ?? '', /CapBnd:\s+0000000000000000/, status);
    assert.match(status ?? '', /NoNewPrivs:\s+1/, status);
    assert.match(status ?? '', /Seccomp:\s+2/, status);
  };

  it('overwriting setpriv and env inside the sandbox does not keep privileges in later calls', async () => {
    const session = await newSession();
    const [, , restarted, again] = await bashTurn(session, [
      {
        command: `printf '%s' '${FAKE_SETPRIV}' > /usr/bin/setpriv; printf '%s' '${FAKE_ENV}' > /usr/bin/env; chmod 755 /usr/bin/setpriv /usr/bin/env; echo replaced`,
      },
      // A new shell: the next command is the first to start after the rewrite.
      { restart: true },
      { command: STATUS },
      // The helper's own mount point can be neither moved, removed nor written.
      {
        command: `mv /dev/.paddock /dev/moved 2>&1; rm -rf /dev/.paddock 2>&1; echo x > /dev/.paddock/confine 2>&1; ${STATUS}`,
      },
    ]);
    assertConfined(restarted);
    assertConfined(again);
    assert.doesNotMatch(again ?? '', /^CapEff:\s+0*[1-9a-f]/m);
    // Another shell after the tampering attempts: still confined.
    const [, status] = await bashTurn(session, [{ restart: true }, { command: STATUS }]);
    assertConfined(status);
  });

  it('the seccomp filter denies io_uring, the keyring, ptrace of pid 1, bpf and mount', async () => {
    const session = await newSession();
    const [probes] = await bashTurn(session, [{ command: SYSCALL_PROBE }]);
    for (const name of ['io_uring_setup', 'keyctl', 'ptrace_pid1', 'bpf', 'mount'])
      assert.match(probes ?? '', new RegExp(`^${name}=1$`, 'm'), `${name} must fail with EPERM:\n${probes}`);
  });

  it('no user namespace can be made inside, by the tools or by pid 1', async () => {
    const session = await newSession();
    const [output] = await bashTurn(session, [
      {
        command: `unshare -U true 2>&1; echo "unshare=$?"; unshare -Ur id 2>&1; echo "unshare_root=$?"; grep -E '^Seccomp:' /proc/1/status`,
      },
    ]);
    assert.match(output ?? '', /^unshare=1$/m, output);
    assert.match(output ?? '', /^unshare_root=1$/m, output);
    assert.match(output ?? '', /^Seccomp:\s+2$/m, 'pid 1 runs under the filter too');
  });
});
