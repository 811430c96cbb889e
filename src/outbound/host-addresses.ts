import { networkInterfaces } from 'node:os';

/**
 * The server's own interface addresses, read at each connection: a service bound to the host's
 * public address is a host service too, and interfaces come and go (sandbox veths, DHCP).
 */
export function hostInterfaceAddresses(): string[] {
  const out: string[] = [];
  for (const entries of Object.values(networkInterfaces()))
    for (const entry of entries ?? []) out.push(entry.address);
  return out;
}
