import { randomInt } from 'node:crypto';
import { run } from '../host-command.js';
import { OPEN_PREFIX, STRICT_PREFIX } from './nat-rules.js';
import { type NetnsRef, nsenterNet } from './netns-ref.js';

/** The sandbox subnet (PADDOCK_SANDBOX_SUBNET): the first host address is every sandbox's gateway. */
export interface NatSubnet {
  base: number;
  size: number;
}

export function parseSubnet(cidr: string): NatSubnet {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const bits = Number(match?.[5]);
  if (!match || octets.some((octet) => octet > 255) || bits < 8 || bits > 29)
    throw new Error(
      `PADDOCK_SANDBOX_SUBNET must be an IPv4 CIDR from /8 to /29, got ${JSON.stringify(cidr)}`,
    );
  const size = 2 ** (32 - bits);
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  return { base: address - (address % size), size };
}

export function gatewayOf(subnet: NatSubnet): string {
  return formatIpv4(subnet.base + 1);
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export interface NatLink {
  hostInterface: string;
  address: string;
  release(): Promise<void>;
}

/**
 * Gives the sandbox's network namespace an `eth0` with one /32 address
 * routed through its own host-side veth. Every host side carries the same
 * gateway address, so sandboxes share no L2 segment: each packet between
 * them would cross the host's forward chain, which drops it. Slots are
 * claimed host-wide by the /32 route (adding an existing route fails), so
 * several Paddock processes can share one subnet. The veth pair dies with
 * the sandbox's namespace; `release` only speeds that up.
 */
export async function attachNatLink(netns: NetnsRef, subnet: NatSubnet, open: boolean): Promise<NatLink> {
  const gateway = gatewayOf(subnet);
  const slots = subnet.size - 3; // not the network, gateway or broadcast address
  const first = randomInt(slots);
  for (let attempt = 0; attempt < Math.min(slots, 64); attempt++) {
    const slot = ((first + attempt) % slots) + 2;
    const name = `${open ? OPEN_PREFIX : STRICT_PREFIX}${slot}`;
    const address = formatIpv4(subnet.base + slot);
    const peerNetns = 'pid' in netns ? String(netns.pid) : netns.name;
    // One `ip` for the host side. IPv4 refuses routes through a link that is down, so the link
    // comes up before the route that claims the slot.
    const hostSide = [
      `link add ${name} type veth peer name eth0 netns ${peerNetns}`,
      `addr add ${gateway}/32 dev ${name}`,
      `link set ${name} up`,
      `route add ${address}/32 dev ${name} src ${gateway}`,
      '',
    ].join('\n');
    try {
      await run('ip', ['-batch', '-'], hostSide);
    } catch (error) {
      const message = (error as Error).message;
      // Line 1 failing means the name is someone else's: never delete it. Past line 1 it is ours.
      if (!/failed -:1\b/.test(message)) await run('ip', ['link', 'del', name]).catch(() => {});
      if (/exists/i.test(message)) continue;
      throw error;
    }
    try {
      await run('nsenter', [nsenterNet(netns), '--', 'ip', '-batch', '-'], sandboxSide(address, gateway));
    } catch (error) {
      await run('ip', ['link', 'del', name]).catch(() => {});
      throw error;
    }
    return {
      hostInterface: name,
      address,
      release: () =>
        run('ip', ['link', 'del', name]).then(
          () => undefined,
          () => undefined,
        ),
    };
  }
  throw new Error(`no free address in the sandbox subnet after 64 tries`);
}

function sandboxSide(address: string, gateway: string): string {
  return [
    `addr add ${address}/32 dev eth0`,
    'link set eth0 up',
    `route add ${gateway} dev eth0`,
    `route add default via ${gateway} dev eth0`,
    '',
  ].join('\n');
}
