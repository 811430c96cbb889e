/** Wire shapes of /v1/tunnels (the SDK's BetaTunnel, BetaTunnelToken, BetaTunnelCertificate). */

export interface Tunnel {
  type: 'tunnel';
  id: string;
  display_name: string | null;
  /** MCP server URLs whose host is a subdomain of this name are reached through the tunnel. */
  domain: string;
  created_at: string;
  archived_at: string | null;
}

/** What is stored: the wire object and the id of the current token value (never on the wire). */
export interface StoredTunnel extends Tunnel {
  token_id: string | null;
}

export interface TunnelToken {
  type: 'tunnel_token';
  id: string;
  tunnel_token: string;
}

export interface TunnelCertificate {
  type: 'tunnel_certificate';
  id: string;
  tunnel_id: string;
  /** Lowercase hex SHA-256 of the certificate's DER encoding. */
  fingerprint: string;
  created_at: string;
  expires_at: string | null;
  archived_at: string | null;
}

export const toTunnelWire = ({ token_id: _tokenId, ...tunnel }: StoredTunnel): Tunnel => tunnel;

/** A tunnel holds at most this many non-archived CA certificates (the hosted rule). */
export const MAX_ACTIVE_CERTIFICATES = 2;
/** `ca_certificate_pem` is at most 8 KB (the hosted rule). */
export const MAX_CERTIFICATE_PEM_BYTES = 8 * 1024;
