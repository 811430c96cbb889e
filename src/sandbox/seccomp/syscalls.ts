/** Architectures a sandbox filter is built for (the host's: sandboxes run the host's kernel ABI). */
export type SeccompArch = 'x64' | 'arm64';

/** AUDIT_ARCH_* values the kernel reports in seccomp_data.arch. */
export const AUDIT_ARCH: Record<SeccompArch, number> = {
  x64: 0xc000003e,
  arm64: 0xc00000b7,
};

/**
 * Syscalls a sandbox never needs, with their numbers as [x86_64, aarch64]
 * (aarch64 uses the asm-generic table; `undefined` where an arch lacks one).
 * The list is the Docker default profile's unconditional and CAP_SYS_ADMIN
 * denials plus the newer mount API, io_uring and ptrace (see
 * docs/decisions/0010-seccomp.md). test/sandbox/seccomp-filter.test.ts checks
 * the numbers against the kernel headers where they are installed.
 */
export const DENIED_SYSCALLS: Record<string, readonly [number | undefined, number | undefined]> = {
  // io_uring runs syscalls from kernel workers, out of reach of this filter.
  io_uring_setup: [425, 425],
  io_uring_enter: [426, 426],
  io_uring_register: [427, 427],
  // The kernel keyring is not namespaced.
  keyctl: [250, 219],
  add_key: [248, 217],
  request_key: [249, 218],
  // Tracing and reading other processes (the sandbox's pid 1 included).
  ptrace: [101, 117],
  process_vm_readv: [310, 270],
  process_vm_writev: [311, 271],
  kcmp: [312, 272],
  // Kernel code, kernel state and the machine.
  kexec_load: [246, 104],
  kexec_file_load: [320, 294],
  init_module: [175, 105],
  finit_module: [313, 273],
  delete_module: [176, 106],
  create_module: [174, undefined],
  get_kernel_syms: [177, undefined],
  query_module: [178, undefined],
  bpf: [321, 280],
  perf_event_open: [298, 241],
  userfaultfd: [323, 282],
  lookup_dcookie: [212, 18],
  reboot: [169, 142],
  syslog: [103, 116],
  acct: [163, 89],
  swapon: [167, 224],
  swapoff: [168, 225],
  quotactl: [179, 60],
  quotactl_fd: [443, 443],
  nfsservctl: [180, 42],
  vhangup: [153, 58],
  iopl: [172, undefined],
  ioperm: [173, undefined],
  uselib: [134, undefined],
  ustat: [136, undefined],
  sysfs: [139, undefined],
  _sysctl: [156, undefined],
  fanotify_init: [300, 262],
  // Clocks are host-wide.
  settimeofday: [164, 170],
  clock_settime: [227, 112],
  clock_adjtime: [305, 266],
  adjtimex: [159, 171],
  // Mounts and namespaces: the sandbox's layout is fixed at start.
  mount: [165, 40],
  umount2: [166, 39],
  pivot_root: [155, 41],
  setns: [308, 268],
  fsopen: [430, 430],
  fsconfig: [431, 431],
  fsmount: [432, 432],
  fspick: [433, 433],
  move_mount: [429, 429],
  open_tree: [428, 428],
  mount_setattr: [442, 442],
  // File handles bypass path checks (the "shocker" escape).
  open_by_handle_at: [304, 265],
  name_to_handle_at: [303, 264],
};

/** Syscalls allowed only for some first-argument values (checked on its low 32 bits). */
export const ARGUMENT_CHECKED = {
  /** Denied when any namespace flag is set (CLONE_NEWUSER above all). */
  clone: [56, 220],
  unshare: [272, 97],
  /** Allowed only for the personalities Docker allows (querying, Linux, 32-bit uname). */
  personality: [135, 92],
  /** Its flags sit in memory a filter cannot read: ENOSYS, so libc falls back to clone. */
  clone3: [435, 435],
} as const;

/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME. */
export const NAMESPACE_FLAGS =
  0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x00000080;

/** PER_LINUX, PER_LINUX32, UNAME26 variants, and 0xffffffff (query). */
export const ALLOWED_PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

export function archIndex(arch: SeccompArch): 0 | 1 {
  return arch === 'x64' ? 0 : 1;
}
