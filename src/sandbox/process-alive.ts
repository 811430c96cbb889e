/** Whether a process exists (EPERM: it does, owned by someone else); for locks and leftovers of dead servers. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
