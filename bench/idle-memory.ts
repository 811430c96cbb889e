import { readdirSync, readFileSync } from 'node:fs';
import type { SandboxDriver } from '../src/core/ports/sandbox.js';
import { type BenchResult, info } from './table.js';

const signal = new AbortController().signal;

interface Usage {
  processes: number;
  /** Proportional set size: shared pages split among their users, so sums add up. */
  pssKiB: number;
  /** Resident set size: shared pages (libc, bash) counted in full for every process. */
  rssKiB: number;
}

/**
 * Memory an idle session's sandbox holds: start `count` sandboxes, each with
 * its persistent bash running, and divide the growth of this process's tree
 * (bwrap, the sandbox's pid 1, nsenter, bash, any egress relay) by `count`.
 * Kernel memory (namespaces, overlay mounts, page tables) is not included.
 */
export async function benchIdleMemory(driver: SandboxDriver, count = 10): Promise<BenchResult[]> {
  const before = await settled(() => treeUsage(process.pid));
  for (let i = 0; i < count; i++) {
    const sandbox = await driver.acquire({
      sessionId: `bench_idle_${i}`,
      environmentId: 'env_bench',
      network: { type: 'limited' },
    });
    await sandbox.runTool('bash', { command: 'cd /tmp' }, signal);
  }
  const after = await settled(() => treeUsage(process.pid));
  const per = (field: keyof Usage) => (after[field] - before[field]) / count;
  return [
    info('memory per idle session (PSS of its process tree)', per('pssKiB') / 1024, 'MiB'),
    info('memory per idle session (RSS, shared pages in full)', per('rssKiB') / 1024, 'MiB'),
    info('processes per idle session', per('processes'), ''),
  ];
}

/** Lets start-up transients (exiting helpers, lazily freed pages) settle before measuring. */
async function settled(measure: () => Usage): Promise<Usage> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return measure();
}

/** Every descendant of `root` (not `root` itself), summed from /proc/<pid>/smaps_rollup. */
function treeUsage(root: number): Usage {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentOf(Number(name));
    if (parent === undefined) continue;
    const siblings = children.get(parent) ?? [];
    siblings.push(Number(name));
    children.set(parent, siblings);
  }
  const usage: Usage = { processes: 0, pssKiB: 0, rssKiB: 0 };
  const pending = [...(children.get(root) ?? [])];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    pending.push(...(children.get(pid) ?? []));
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      usage.pssKiB += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      usage.rssKiB += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      usage.processes += 1;
    } catch {
      // exited meanwhile
    }
  }
  return usage;
}

function parentOf(pid: number): number | undefined {
  try {
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so split after the last `)`.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
