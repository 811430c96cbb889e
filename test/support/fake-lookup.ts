import type { LookupFunction } from 'node:net';

/**
 * A resolver for test names, injected in place of DNS so tests reach only loopback;
 * `calls` records every name it was asked for.
 */
export function fakeLookup(table: Record<string, string[]>) {
  const calls: string[] = [];
  const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    calls.push(hostname);
    const addresses = (table[hostname] ?? []).map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    if (addresses.length === 0)
      return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0]?.address, addresses[0]?.family);
  }) as unknown as LookupFunction;
  return { lookup, calls };
}
