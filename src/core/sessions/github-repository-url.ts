/** One path segment of a repository: GitHub's own alphabet for owners and names. */
const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * The `owner/name` a `github_repository` URL names (and `path`, the safe
 * `/owner/name(.git)` to append to the base), or why it names none.
 * Only the URL's path is ever used (it is appended to PADDOCK_GITHUB_BASE_URL),
 * so the path must be exactly `/owner/name` or `/owner/name.git` (one trailing
 * slash allowed), each segment of safe characters and neither `.` nor `..`.
 * Percent-escapes are refused outright: host `git` decodes them in `file://`
 * paths, so `/%2e%2e%2fsecret/victim.git` would climb out of a file:// base
 * (issue #12, finding 4).
 */
export function githubRepositoryPath(
  url: string,
): { owner: string; name: string; path: string } | { invalid: string } {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return { invalid: 'is not a URL' };
  }
  const segments = pathname.replace(/^\//, '').replace(/\/$/, '').split('/');
  const [owner, rawName, ...rest] = segments;
  const name = rawName?.replace(/\.git$/, '');
  const usable = (segment: string | undefined): segment is string =>
    segment !== undefined && SAFE_SEGMENT.test(segment) && segment !== '.' && segment !== '..';
  if (rest.length > 0 || !usable(owner) || !usable(rawName) || !usable(name))
    return {
      invalid: `must name a repository as https://github.com/OWNER/NAME(.git), each part made of letters, digits, ".", "_" and "-" (got path ${JSON.stringify(pathname)})`,
    };
  return { owner, name, path: `/${owner}/${rawName}` };
}
