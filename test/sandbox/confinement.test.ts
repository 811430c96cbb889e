import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DENIED_SYSCALLS } from '../../src/sandbox/seccomp/syscalls.js';
import { type ApiSandbox, startApiSandbox } from './api-bash.js';
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
  let api: ApiSandbox;
  before(async () => {
    api = await startApiSandbox(bwrap);
  });
  after(async () => api?.close());
  const newSession = () => api.newSession('limited');
  const bashTurn: ApiSandbox['bashTurn'] = (sessionId, inputs) => api.bashTurn(sessionId, inputs);

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
