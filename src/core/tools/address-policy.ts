import { classifyAddress } from '../network/address-policy.js';

/**
 * Kept while the egress proxy moves to core/network/address-policy.ts (checkAddress): true for
 * loopback, private, link-local, metadata, CGNAT, unspecified, multicast and reserved addresses
 * in any spelling (IPv4-mapped IPv6 included).
 */
export function isBlockedAddress(address: string): boolean {
  return classifyAddress(address) !== undefined;
}
