/**
 * The host firewall for `unrestricted` sandboxes, as one nftables table that
 * every Paddock process on the host shares. It is static: which sandbox gets
 * which treatment is decided by its host-side interface name, so no process
 * ever edits rules another process depends on.
 *
 * - `pdks<slot>`: the default. New connections may go to public addresses
 *   only; the host itself (every local address, so every host service) is
 *   closed except the DNS relay: UDP port 53 on a gateway address in the
 *   `dns_relays` set, which each Paddock process fills with its own subnet's
 *   gateway (nat-host.ts); the host's other addresses are closed on port 53 too.
 * - `pdko<slot>`: an operator allowed private networks
 *   (PADDOCK_ALLOW_PRIVATE_NETWORKS): private ranges and host services open.
 *
 * Sandboxes never reach one another, nothing outside may open a connection
 * into a sandbox, and IPv6 is dropped (sandboxes get IPv4 only). A sandbox is
 * root in its own network namespace, so it could change its address: a
 * reverse-path check drops any packet whose source does not route back
 * through the veth it came in on.
 */
export const NAT_TABLE = 'paddock';
/** Bumped whenever the rules change, so a host holding older rules gets them replaced. */
export const NAT_RULES_VERSION = 'paddock-nat-v3';
export const STRICT_PREFIX = 'pdks';
export const OPEN_PREFIX = 'pdko';

/** Loopback, private, link-local (incl. cloud metadata), CGNAT, reserved and multicast (as in address-policy.ts). */
export const BLOCKED_IPV4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
];

/** The whole table, replaced atomically (create, delete, create: `nft -f` applies it as one transaction). */
export function natRuleset(): string {
  const any = 'pdk*';
  const open = `${OPEN_PREFIX}*`;
  return `table inet ${NAT_TABLE} {}
delete table inet ${NAT_TABLE}
table inet ${NAT_TABLE} {
  comment "${NAT_RULES_VERSION}"
  set blocked4 {
    type ipv4_addr
    flags interval
    elements = { ${BLOCKED_IPV4.join(', ')} }
  }
  set dns_relays {
    type ipv4_addr
  }
  chain prerouting {
    type filter hook prerouting priority raw; policy accept;
    iifname "${any}" fib saddr . iif oif missing drop
  }
  chain forward {
    type filter hook forward priority filter - 5; policy accept;
    iifname "${any}" oifname "${any}" drop
    oifname "${any}" ct state established,related accept
    oifname "${any}" drop
    iifname "${any}" meta nfproto ipv6 drop
    iifname "${open}" accept
    iifname "${any}" ip daddr @blocked4 drop
  }
  chain input {
    type filter hook input priority filter - 5; policy accept;
    iifname "${any}" meta nfproto ipv6 drop
    iifname "${any}" ct state established,related accept
    iifname "${any}" ip daddr @dns_relays udp dport 53 accept
    iifname "${open}" accept
    iifname "${any}" drop
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname "${any}" oifname != "${any}" masquerade
  }
}
`;
}
