import type { Env } from './config.js';
import { nonEmpty } from './parse-env.js';

/** Tunnels (docs/tunnels.md): where their domains live and how their traffic leaves this node. */
export interface TunnelConfig {
  /** Tunnel domains are `<random label>.<domain>` (PADDOCK_TUNNEL_DOMAIN; default tunnels.paddock.internal). */
  domain: string;
  /**
   * host:port every tunnel connection is dialed to (PADDOCK_TUNNEL_GATEWAY), the gateway that
   * routes by TLS server name to the MCP servers behind it. Unset: the tunnel host is resolved by DNS.
   */
  gateway: { host: string; port: number } | undefined;
}

export const DEFAULT_TUNNEL_DOMAIN = 'tunnels.paddock.internal';

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

export function parseTunnelConfig(env: Env): TunnelConfig {
  const domain = (nonEmpty(env['PADDOCK_TUNNEL_DOMAIN']) ?? DEFAULT_TUNNEL_DOMAIN).toLowerCase();
  if (!HOST_NAME.test(domain))
    throw new Error(
      `PADDOCK_TUNNEL_DOMAIN must be a DNS name such as tunnels.example.internal, got ${JSON.stringify(domain)}`,
    );
  return { domain, gateway: parseGateway(nonEmpty(env['PADDOCK_TUNNEL_GATEWAY'])) };
}

function parseGateway(value: string | undefined): TunnelConfig['gateway'] {
  if (value === undefined) return undefined;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(
      `PADDOCK_TUNNEL_GATEWAY must be host:port (for example 10.0.0.5:8443), got ${JSON.stringify(value)}`,
    );
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}
