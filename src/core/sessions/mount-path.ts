import { invalidRequest } from '../errors.js';

/** Where file mounts live when the caller names none, or names a relative path (hosted behaviour). */
export const FILE_MOUNT_ROOT = '/mnt/session/uploads';
/** Where repositories are cloned by default; a relative repository mount_path lands here too. */
export const REPOSITORY_MOUNT_ROOT = '/workspace';

/**
 * The hosted product puts file mounts under /mnt/session/uploads and the SDK's files example mounts
 * `data.csv`: a relative path is resolved under the resource's default root instead of refused.
 * `..` segments are refused either way, so a relative path cannot climb out of its root.
 */
export function resolveMountPath(
  requested: string | null | undefined,
  root: string,
  defaultName: string,
  field: string,
): string {
  if (requested === null || requested === undefined) return `${root}/${defaultName}`;
  const segments = requested.split('/');
  if (segments.includes('..')) throw invalidRequest(`${field}: must not contain '..' segments`);
  if (requested.startsWith('/')) return requested;
  const relative = segments.filter((segment) => segment !== '' && segment !== '.').join('/');
  if (relative === '') throw invalidRequest(`${field}: names no file`);
  return `${root}/${relative}`;
}
