import {
  ALLOWED_PERSONALITIES,
  ARGUMENT_CHECKED,
  AUDIT_ARCH,
  archIndex,
  DENIED_SYSCALLS,
  NAMESPACE_FLAGS,
  type SeccompArch,
} from './syscalls.js';

// Classic BPF, as the kernel's seccomp takes it (linux/filter.h, linux/seccomp.h).
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGT_K = 0x25;
const JSET_K = 0x45;
const RET_K = 0x06;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const ENOSYS = 38;
// struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
const NR = 0;
const ARCH = 4;
/** The low 32 bits of args[0] on a little-endian machine (both supported arches). */
const ARG0_LOW = 16;
/** x86_64's x32 ABI marks its numbers with this bit; a sandbox has no x32 programs. */
const X32_SYSCALL_BIT = 0x40000000;

interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const op = (code: number, k: number, jt = 0, jf = 0): Instruction => ({ code, jt, jf, k });
const deny = (errno: number) => op(RET_K, RET_ERRNO | errno);

export function hostSeccompArch(arch: string = process.arch): SeccompArch | undefined {
  return arch === 'x64' || arch === 'arm64' ? arch : undefined;
}

/**
 * The sandbox's seccomp program: a deny-list (EPERM) over a default of allow,
 * for one architecture; any other architecture (i386 through int 0x80, x32)
 * is refused, so a syscall cannot be renumbered around the list. The result
 * is the raw `struct sock_filter[]` that `bwrap --seccomp` and the confine
 * helper load.
 */
export function buildSeccompFilter(arch: SeccompArch): Buffer {
  const index = archIndex(arch);
  const program: Instruction[] = [
    op(LD_W_ABS, ARCH),
    op(JEQ_K, AUDIT_ARCH[arch], 1, 0),
    op(RET_K, RET_KILL_PROCESS),
    op(LD_W_ABS, NR),
  ];
  if (arch === 'x64') program.push(op(JGT_K, X32_SYSCALL_BIT - 1, 0, 1), deny(EPERM));
  for (const numbers of Object.values(DENIED_SYSCALLS)) {
    const nr = numbers[index];
    if (nr !== undefined) program.push(op(JEQ_K, nr, 0, 1), deny(EPERM));
  }
  program.push(op(JEQ_K, ARGUMENT_CHECKED.clone3[index], 0, 1), deny(ENOSYS));
  for (const nr of [ARGUMENT_CHECKED.clone[index], ARGUMENT_CHECKED.unshare[index]])
    program.push(
      // Not this syscall: skip the block. Else deny when a namespace flag is set, allow otherwise.
      op(JEQ_K, nr, 0, 4),
      op(LD_W_ABS, ARG0_LOW),
      op(JSET_K, NAMESPACE_FLAGS, 0, 1),
      deny(EPERM),
      op(RET_K, RET_ALLOW),
    );
  const values = ALLOWED_PERSONALITIES.length;
  program.push(
    op(JEQ_K, ARGUMENT_CHECKED.personality[index], 0, values + 3),
    op(LD_W_ABS, ARG0_LOW),
    // Each match jumps over the remaining compares and the denial, onto the allow.
    ...ALLOWED_PERSONALITIES.map((value, position) => op(JEQ_K, value, values - position, 0)),
    deny(EPERM),
    op(RET_K, RET_ALLOW),
  );
  program.push(op(RET_K, RET_ALLOW));
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach((instruction, position) => {
    bytes.writeUInt16LE(instruction.code, position * 8);
    bytes.writeUInt8(instruction.jt, position * 8 + 2);
    bytes.writeUInt8(instruction.jf, position * 8 + 3);
    bytes.writeUInt32LE(instruction.k >>> 0, position * 8 + 4);
  });
  return bytes;
}
