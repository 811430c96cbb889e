import { readFile, writeFile } from 'node:fs/promises';
import { run } from '../host-command.js';
import { NAT_RULES_VERSION, NAT_TABLE, natRuleset } from './nat-rules.js';

/** Why NAT cannot work on this host, or undefined when it can. */
export async function natUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'NAT needs a root server';
  for (const [tool, args] of [
    ['nft', ['--version']],
    ['ip', ['-V']],
    ['flock', ['--version']],
  ] as const) {
    try {
      await run(tool, [...args]);
    } catch {
      return `${tool} is not installed (apt-get install nftables iproute2 util-linux)`;
    }
  }
  return undefined;
}

/**
 * Installs the shared table unless this version is already there, adds this
 * process's DNS relay address (its subnet's gateway) to the addresses
 * sandboxes may send DNS to, and turns on IPv4 forwarding. A lock file
 * serializes Paddock processes sharing the host, so one never replaces the
 * table while another checks it.
 */
export async function ensureNatTable(log: (message: string) => void, dnsRelay: string): Promise<void> {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(dnsRelay)) throw new Error(`not an IPv4 address: ${dnsRelay}`);
  const script = `{ nft list table inet ${NAT_TABLE} 2>/dev/null | grep -q '${NAT_RULES_VERSION}' || nft -f -; } &&
nft add element inet ${NAT_TABLE} dns_relays '{ ${dnsRelay} }'`;
  await run('flock', ['/run/paddock-nat.lock', 'sh', '-c', script], natRuleset());
  const forwarding = '/proc/sys/net/ipv4/ip_forward';
  if ((await readFile(forwarding, 'utf8')).trim() !== '1') {
    await writeFile(forwarding, '1');
    log('paddock: enabled IPv4 forwarding (net.ipv4.ip_forward=1) for sandbox NAT');
  }
}
