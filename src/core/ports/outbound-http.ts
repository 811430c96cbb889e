/**
 * How the core and the adapters reach the network: a `fetch`-compatible function whose every
 * connection is checked against the address policy (core/network/address-policy.ts) at connect
 * time, on the address actually dialed. The adapter is src/outbound/.
 *
 * A refused connection rejects with an Error whose message says why (no credential in it).
 */
export type OutboundFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
