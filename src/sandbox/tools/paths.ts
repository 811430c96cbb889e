import { posix } from 'node:path';
import { ToolError } from './tool-error.js';

/** Resolves a tool's path argument against the sandbox workdir (sandbox-side paths, POSIX rules). */
export function insidePath(workdir: string, value: unknown, tool: string, field = 'file_path'): string {
  if (typeof value !== 'string' || value === '') throw new ToolError(`${tool}: ${field} is required`);
  if (value.includes('\0')) throw new ToolError(`${tool}: ${field} contains a NUL byte`);
  return posix.resolve(workdir, value);
}
