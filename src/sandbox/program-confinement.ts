import { randomBytes } from 'node:crypto';
import type { SandboxLimits } from '../core/ports/sandbox.js';
import type { ProgramConfiner, ProgramJail } from '../core/ports/workflow-program.js';
import { JOIN_CGROUPS } from './bwrap/bwrap-launch.js';
import { type CgroupSupport, detectCgroups, SessionCgroup } from './bwrap/cgroups.js';
import { buildSeccompFilter, hostSeccompArch } from './seccomp/seccomp-filter.js';

/** The kernel limits of one program's process tree (docs/workflows.md#isolation). */
export type ProgramLimits = Pick<SandboxLimits, 'memoryBytes' | 'pids' | 'cpus'>;

export interface ProgramConfinementOptions {
  /** cgroup limits per program; null runs programs without a cgroup. */
  limits: ProgramLimits | null;
  /** Where cgroups go; detected once (the sandboxes' detection, cgroups.ts) unless given. */
  cgroups?: () => Promise<CgroupSupport>;
  /** Told once when cgroups cannot be used (programs then run with the V8 heap limit only). */
  warn?: (message: string) => void;
}

/**
 * Per-program cgroups (memory, pids, cpu; v1 or v2) made with the sandboxes' own code, and the
 * sandboxes' seccomp filter (seccomp-filter.ts) that bubblewrap loads for the program's `node`.
 */
export class ProgramConfinement implements ProgramConfiner {
  private support: Promise<CgroupSupport> | undefined;
  private warned = false;
  /** The filter's bytes for this architecture, or null (an architecture the filter does not know). */
  readonly seccompFilter: Buffer | null;

  constructor(private readonly options: ProgramConfinementOptions) {
    const arch = hostSeccompArch();
    this.seccompFilter = arch ? buildSeccompFilter(arch) : null;
  }

  async jail(): Promise<ProgramJail> {
    const { limits } = this.options;
    if (limits && !this.support) this.support = (this.options.cgroups ?? detectCgroups)();
    const support = limits ? await this.support : undefined;
    if (!limits || !support?.available) {
      if (limits && support && !support.available && !this.warned) {
        this.warned = true;
        this.options.warn?.(
          `paddock: WARNING: cgroup limits unavailable for workflow programs (${support.reason}); they run with the V8 heap limit only`,
        );
      }
      return { wrap: ([file, ...args]) => ({ file: file!, args, env: {} }), release: async () => {} };
    }
    const cgroup = await SessionCgroup.create(support, `workflow-${randomBytes(6).toString('hex')}`, limits);
    return {
      wrap: (argv) => ({
        file: '/bin/sh',
        args: ['-c', `${JOIN_CGROUPS}\nexec "$@"`, 'paddock-workflow', ...argv],
        env: { PADDOCK_CGROUP_PROCS: cgroup.procsFiles.join('\n') },
      }),
      release: () => cgroup.destroy(),
    };
  }
}
