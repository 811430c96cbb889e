import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on every Linux Paddock targets). */
const USER_HZ = 100;

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** CPU time (user + system) a process has used so far, in ms; its children's time is not in it. */
export function cpuMs(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return Number.NaN;
  // After the name: state(3) ppid(4) … utime(14) stime(15): indices 11 and 12 here.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

/** How many processes descend from `pid` (itself excluded), from one scan of /proc. */
export function descendantCount(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    const parent = Number(statFields(child)?.[1]);
    if (!Number.isInteger(parent)) continue;
    const siblings = children.get(parent);
    if (siblings) siblings.push(child);
    else children.set(parent, [child]);
  }
  let count = 0;
  const pending = [...(children.get(pid) ?? [])];
  while (pending.length > 0) {
    const next = pending.pop() as number;
    count++;
    pending.push(...(children.get(next) ?? []));
  }
  return count;
}
