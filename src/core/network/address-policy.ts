import { BlockList, isIP } from 'node:net';

/**
 * The one address policy for every outbound connection the server makes or relays (web_fetch,
 * MCP, OAuth refresh, web search backends, the sandbox egress proxy). Pure: no I/O, so the
 * adapters that dial (src/outbound, src/sandbox/network) call it on the address they connect to.
 *
 * Every spelling is normalized before it is classified: brackets, zone ids, a trailing dot,
 * IPv4 in inet_aton spellings (`127.1`, `0x7f.0.0.1`, `2130706433`), and IPv4 carried inside
 * IPv6 (mapped `::ffff:a.b.c.d` / `::ffff:7f00:1`, compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`,
 * 6to4 `2002::/16`) is classified as the IPv4 address it reaches.
 */

export type AddressCategory =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'host';

export interface AddressPolicyOptions {
  /** The operator allows loopback, private, link-local, CGNAT, reserved and host addresses. */
  allowPrivate: boolean;
  /** Host names, IPs or CIDRs allowed even when private (cloud metadata only when listed here). */
  allowedPrivateHosts?: readonly string[] | undefined;
  /** The server's own interface addresses: services bound there are host services too. */
  hostAddresses?: readonly string[] | undefined;
}

export interface AddressPolicy {
  readonly allowPrivate: boolean;
  readonly allowedNames: ReadonlySet<string>;
  readonly allowedRanges: Ranges;
  readonly hostAddresses: Ranges;
}

export type AddressVerdict =
  | { allowed: true; address: string }
  | { allowed: false; reason: string; category: AddressCategory | 'invalid' };

type Family = 'ipv4' | 'ipv6';
interface Normalized {
  address: string;
  family: Family;
}

/** One list per family: a BlockList matches IPv4 against IPv6 rules through ::ffff:0:0/96. */
interface Ranges {
  ipv4: BlockList;
  ipv6: BlockList;
}

const ranges = (entries: Array<[string, number, Family]>): Ranges => {
  const lists: Ranges = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const [network, prefix, family] of entries) lists[family].addSubnet(network, prefix, family);
  return lists;
};

const contains = (lists: Ranges, ip: Normalized) => lists[ip.family].check(ip.address, ip.family);

// Checked in this order; the first match names the category.
const categories: Array<[AddressCategory, Ranges]> = [
  [
    'metadata',
    ranges([
      ['169.254.169.254', 32, 'ipv4'],
      ['fd00:ec2::254', 128, 'ipv6'],
    ]),
  ],
  [
    'unspecified',
    ranges([
      ['0.0.0.0', 32, 'ipv4'],
      ['::', 128, 'ipv6'],
    ]),
  ],
  [
    'loopback',
    ranges([
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ]),
  ],
  [
    'private',
    ranges([
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
      ['fec0::', 10, 'ipv6'], // deprecated site-local, still private in practice
    ]),
  ],
  [
    'link-local',
    ranges([
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ]),
  ],
  ['cgnat', ranges([['100.64.0.0', 10, 'ipv4']])],
  [
    'multicast',
    ranges([
      ['224.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ]),
  ],
  // Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) are not listed:
  // they are not routed, and tests use them as stand-ins for public addresses.
  [
    'reserved',
    ranges([
      ['0.0.0.0', 8, 'ipv4'],
      ['192.0.0.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['::', 8, 'ipv6'],
      ['100::', 64, 'ipv6'],
    ]),
  ],
];

/** Builds a policy once (the allow-list and host addresses are parsed here, not per check). */
export function addressPolicy(options: AddressPolicyOptions): AddressPolicy {
  const allowedNames = new Set<string>();
  const allowedRanges = ranges([]);
  for (const raw of options.allowedPrivateHosts ?? []) {
    const entry = raw.trim();
    if (entry === '') continue;
    const slash = entry.lastIndexOf('/');
    const ip = normalizeAddress(slash === -1 ? entry : entry.slice(0, slash));
    if (ip && slash !== -1) {
      const prefix = Number(entry.slice(slash + 1));
      const max = ip.family === 'ipv4' ? 32 : 128;
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
        throw new Error(`not a valid CIDR: ${entry}`);
      allowedRanges[ip.family].addSubnet(ip.address, prefix, ip.family);
    } else if (ip) allowedRanges[ip.family].addAddress(ip.address, ip.family);
    else allowedNames.add(normalizeHostName(entry));
  }
  const hostAddresses = ranges([]);
  for (const raw of options.hostAddresses ?? []) {
    const ip = normalizeAddress(raw);
    if (ip) hostAddresses[ip.family].addAddress(ip.address, ip.family);
  }
  return { allowPrivate: options.allowPrivate, allowedNames, allowedRanges, hostAddresses };
}

/**
 * Whether a connection to `ip` may be made. `hostname` is the name that resolved to it, if any
 * (an allow-listed name admits the private addresses it resolves to).
 */
export function checkAddress(ip: string, policy: AddressPolicy, hostname?: string): AddressVerdict {
  const normalized = normalizeAddress(ip);
  if (!normalized) return { allowed: false, reason: `${ip} is not an IP address`, category: 'invalid' };
  const category = classifyNormalized(normalized, policy.hostAddresses);
  if (category === undefined) return { allowed: true, address: normalized.address };
  const listed =
    contains(policy.allowedRanges, normalized) ||
    (hostname !== undefined && policy.allowedNames.has(normalizeHostName(hostname)));
  const allowedByOperator = policy.allowPrivate && category !== 'metadata' && category !== 'multicast';
  if (listed || allowedByOperator) return { allowed: true, address: normalized.address };
  const shown = normalized.address === ip ? ip : `${ip} (${normalized.address})`;
  return { allowed: false, reason: describe(shown, category), category };
}

/** The category of a blocked address, or undefined for a public one (invalid input: 'reserved'). */
export function classifyAddress(
  ip: string,
  hostAddresses: readonly string[] = [],
): AddressCategory | undefined {
  const normalized = normalizeAddress(ip);
  if (!normalized) return 'reserved';
  return classifyNormalized(normalized, addressPolicy({ allowPrivate: false, hostAddresses }).hostAddresses);
}

function classifyNormalized(ip: Normalized, host: Ranges): AddressCategory | undefined {
  for (const [category, lists] of categories) if (contains(lists, ip)) return category;
  return contains(host, ip) ? 'host' : undefined;
}

function describe(ip: string, category: AddressCategory): string {
  return `${ip} is ${describeCategory(category)}, which is blocked`;
}

/** "a loopback address", "one of this server's own addresses", … for messages. */
export function describeCategory(category: AddressCategory | 'invalid'): string {
  const what: Record<AddressCategory | 'invalid', string> = {
    loopback: 'a loopback address',
    private: 'a private address',
    'link-local': 'a link-local address',
    cgnat: 'a carrier-grade NAT address',
    metadata: 'a cloud metadata address',
    unspecified: 'an unspecified address',
    multicast: 'a multicast address',
    reserved: 'a reserved address',
    host: "one of this server's own addresses",
    invalid: 'not an IP address',
  };
  return what[category];
}

/** Lower case, without one trailing dot or surrounding brackets. */
export function normalizeHostName(name: string): string {
  return name
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * The canonical address behind any spelling, or undefined when `raw` is not an IP address.
 * IPv4 carried in IPv6 comes back as IPv4.
 */
export function normalizeAddress(raw: string): Normalized | undefined {
  let text = raw.trim().replace(/^\[(.*)\]$/, '$1');
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  if (text.endsWith('.')) text = text.slice(0, -1);
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { address: formatIPv4(v4), family: 'ipv4' };
  if (isIP(text) !== 6) return undefined;
  const groups = parseIPv6(text);
  const embedded = embeddedIPv4(groups);
  if (embedded !== undefined) return { address: formatIPv4(embedded), family: 'ipv4' };
  return { address: formatIPv6(groups), family: 'ipv6' };
}

/** IPv4 in every spelling inet_aton accepts (getaddrinfo does too): 1 to 4 parts, octal, hex. */
function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = Number.parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
    else return undefined;
    if (!Number.isSafeInteger(value)) return undefined;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((value) => value > 255)) return undefined;
  if (last >= 2 ** (8 * (4 - values.length))) return undefined;
  return values.reduce((sum, value, index) => sum + value * 2 ** (8 * (3 - index)), 0) + last;
}

function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Eight 16-bit groups of a valid IPv6 address (isIP has already accepted it). */
function parseIPv6(text: string): number[] {
  // A trailing dotted quad is two groups: rewrite it in hex, then parse one syntax.
  const body = text.toLowerCase().replace(/(\d+\.\d+\.\d+\.\d+)$/, (quad) => {
    const value = parseIPv4(quad) ?? 0;
    return `${Math.floor(value / 65536).toString(16)}:${(value % 65536).toString(16)}`;
  });
  const toGroups = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const [head, rest] = body.split('::') as [string, string | undefined];
  const front = toGroups(head);
  if (rest === undefined) return front;
  const back = toGroups(rest);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** RFC 5952: lower case, the longest run of two or more zero groups as `::`. */
function formatIPv6(groups: number[]): string {
  let best = { start: -1, length: 1 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > best.length) best = { start, length };
  }
  const hex = (part: number[]) => part.map((group) => group.toString(16)).join(':');
  if (best.start === -1) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
}

/** The IPv4 address an IPv6 address carries, for the forms that reach IPv4 hosts. */
function embeddedIPv4(groups: number[]): number | undefined {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const low = g6 * 65536 + g7;
  const zeroTo = (count: number) => groups.slice(0, count).every((group) => group === 0);
  if (zeroTo(5) && g5 === 0xffff) return low; // ::ffff:a.b.c.d (mapped)
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return low; // ::ffff:0:a.b.c.d (translated, RFC 2765)
  if (zeroTo(6) && low > 1) return low; // ::a.b.c.d (compatible; :: and ::1 are IPv6's own)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return low; // NAT64
  if (g0 === 0x2002) return g1 * 65536 + g2; // 6to4
  return undefined;
}
