/**
 * The key a vault credential is matched to an MCP server by. Users type the
 * same server in different ways (`HTTPS://Host:443/mcp/` vs
 * `https://host/mcp`), and a credential should not silently fail to apply
 * over such differences: scheme and host are lowercased, the default port
 * is dropped and a trailing slash is ignored. Path and query stay exact.
 */
export function normalizeMcpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return raw.trim();
  }
  // URL already lowercases scheme and host and drops the scheme's default port.
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : '';
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return `${url.protocol}//${auth}${url.host}${path}${url.search}`;
}
