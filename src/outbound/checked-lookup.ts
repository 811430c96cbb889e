import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  type AddressPolicy,
  type AddressPolicyOptions,
  addressPolicy,
  checkAddress,
  describeCategory,
} from '../core/network/address-policy.js';

/** A connection the address policy refused; `code` lets callers tell it from a network failure. */
export class OutboundRefused extends Error {
  readonly code = 'EADDRBLOCKED';
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

export interface PolicySource {
  /** The policy for this connection (host addresses are read afresh each time). */
  current(): AddressPolicy;
}

export function policySource(
  options: Omit<AddressPolicyOptions, 'hostAddresses'>,
  hostAddresses: () => readonly string[],
): PolicySource {
  return { current: () => addressPolicy({ ...options, hostAddresses: hostAddresses() }) };
}

/**
 * A lookup for `net.connect` that resolves the name and fails when any address it resolves to is
 * refused by the policy. The connection dials what this returns, so the address checked is the
 * address dialed: an answer that changes between a check and the connect cannot slip through.
 */
export function checkedLookup(source: PolicySource, resolve: LookupFunction = dnsLookup): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      if (list.length === 0) return callback(new OutboundRefused(`cannot resolve ${hostname}`), '', 0);
      const policy = source.current();
      for (const entry of list) {
        const verdict = checkAddress(entry.address, policy, hostname);
        if (!verdict.allowed) {
          const why = `${hostname} resolves to ${entry.address}, ${describeCategory(verdict.category)}, which is blocked`;
          return callback(new OutboundRefused(why), '', 0);
        }
      }
      if (lookupOptions.all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}
