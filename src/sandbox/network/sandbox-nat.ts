import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DnsRelay, type DnsUpstream } from './dns-relay.js';
import { ensureNatTable, natUnavailable } from './nat-host.js';
import { attachNatLink, gatewayOf, type NatLink, type NatSubnet } from './nat-link.js';
import type { NetnsRef } from './netns-ref.js';

const RESOLV_DIR = '/run/paddock-net';

export interface SandboxNatOptions {
  subnet: NatSubnet;
  dnsUpstreams: DnsUpstream[];
  /** PADDOCK_ALLOW_PRIVATE_NETWORKS: private ranges and host services stay reachable. */
  allowPrivateNetworks: boolean;
  log: (message: string) => void;
}

/**
 * Routed, masqueraded IPv4 for `unrestricted` sandboxes: one per driver.
 * The firewall (nat-rules.ts) is installed at the first sandbox, the DNS
 * relay once the gateway address exists.
 */
export class SandboxNat {
  private ready: Promise<boolean> | undefined;
  private relay: Promise<DnsRelay | undefined> | undefined;

  private constructor(
    private readonly options: SandboxNatOptions,
    readonly resolvConf: string,
  ) {}

  /** Undefined (after saying why) when this host cannot do NAT: sandboxes then get only the proxy. */
  static async create(options: SandboxNatOptions): Promise<SandboxNat | undefined> {
    const missing = await natUnavailable();
    if (missing) {
      options.log(
        `paddock: WARNING: no NAT for unrestricted sandboxes (${missing}); they reach HTTP(S) through the egress proxy only`,
      );
      return undefined;
    }
    // World-readable on purpose: the sandbox binds it after dropping to its unprivileged uid.
    await mkdir(RESOLV_DIR, { recursive: true, mode: 0o755 });
    const gateway = gatewayOf(options.subnet);
    const resolvConf = join(RESOLV_DIR, `resolv-${gateway}.conf`);
    await writeFile(resolvConf, `nameserver ${gateway}\noptions timeout:2 attempts:2\n`, { mode: 0o644 });
    return new SandboxNat(options, resolvConf);
  }

  /** Undefined when the host's firewall could not be set up: the sandbox keeps the proxy only. */
  async attach(netns: NetnsRef): Promise<NatLink | undefined> {
    this.ready ??= ensureNatTable(this.options.log, gatewayOf(this.options.subnet)).then(
      () => true,
      (error: unknown) => {
        // Without the firewall a link would be an open door, so there is none; said once.
        this.options.log(
          `paddock: WARNING: sandbox NAT disabled, its firewall could not be installed (${(error as Error).message}); unrestricted sandboxes reach HTTP(S) through the egress proxy only`,
        );
        return false;
      },
    );
    if (!(await this.ready)) return undefined;
    const link = await attachNatLink(netns, this.options.subnet, this.options.allowPrivateNetworks);
    this.relay ??= DnsRelay.listen(gatewayOf(this.options.subnet), this.options.dnsUpstreams).catch(
      (error: unknown) => {
        this.options.log(`paddock: sandbox DNS relay did not start: ${(error as Error).message}`);
        this.relay = undefined;
        return undefined;
      },
    );
    await this.relay;
    return link;
  }

  async close(): Promise<void> {
    (await this.relay)?.close();
  }
}
