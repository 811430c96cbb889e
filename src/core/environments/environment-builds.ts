import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { EnvironmentBuildSpec, SandboxDriver } from '../ports/sandbox.js';
import type { EnvironmentBuildRecord, Store } from '../ports/store.js';
import { type EnvironmentDocument, PACKAGE_MANAGERS } from './environment.js';

export interface EnvironmentBuildStatus {
  status: EnvironmentBuildRecord['status'];
  log_tail: string;
  updated_at: string | null;
}

export interface EnvironmentBuildsOptions {
  store: Store;
  clock: Clock;
  /**
   * Names the base root filesystem builds start from (a new base is a new build): the same on
   * every node of a fleet with the same sandbox settings, so their build keys agree.
   */
  baseId: string;
  log: (message: string) => void;
}

/**
 * Environment package builds (issue #16: environments fail fast). A build runs when an
 * environment is created or its packages change (in the background, on a node whose sandbox
 * driver can build), else at the first tool call of a session that needs it. Its outcome is kept
 * in the database by build key (packages + network policy + base), so a failed build is reported
 * with its log and not run again until the config changes.
 */
export class EnvironmentBuilds {
  private builder: SandboxDriver | undefined;
  private readonly running = new Map<string, Promise<EnvironmentBuildRecord | undefined>>();
  private closed = false;

  constructor(private readonly options: EnvironmentBuildsOptions) {}

  /** A driver that can build: environments created or changed from now on are built ahead of sessions. */
  attach(driver: SandboxDriver): void {
    if (driver.prepareEnvironment) this.builder = driver;
  }

  /** After create or update: starts the build in the background when this node can build. */
  requested(environment: EnvironmentDocument): void {
    const spec = environmentBuildSpec(environment);
    if (!spec || !this.builder) return;
    const key = this.buildKey(spec);
    // Recorded first, so the build route says "pending" at once; the build itself is not awaited.
    this.options.store.environmentBuilds
      .get(key)
      .then(async (record) => {
        if (record && record.status !== 'pending') return;
        await this.put(key, 'pending', '');
        await this.ensure(spec, this.builder, true);
      })
      .catch((error: unknown) => {
        // A stopping server kills its builds; they stay pending for the next node.
        if (!this.closed)
          this.options.log(`paddock: environment ${environment.id} build did not run: ${describe(error)}`);
      });
  }

  /** The server is stopping: background builds end (the driver kills them) without a word. */
  close(): void {
    this.closed = true;
  }

  /** What GET /v1/environments/{id}/build answers: the build of the environment's current config. */
  async status(environment: EnvironmentDocument): Promise<EnvironmentBuildStatus> {
    const spec = environmentBuildSpec(environment);
    if (!spec) return { status: 'ready', log_tail: '', updated_at: null };
    const record = await this.options.store.environmentBuilds.get(this.buildKey(spec));
    if (!record) return { status: 'pending', log_tail: '', updated_at: null };
    return { status: record.status, log_tail: record.logTail, updated_at: record.updatedAt };
  }

  /**
   * The spec's build, run now unless its outcome is already known (this node's builds of one key
   * are shared; across nodes the driver's layer lock serializes them). Undefined when there is
   * nothing to build or no driver that builds.
   */
  async ensure(
    spec: EnvironmentBuildSpec,
    driver = this.builder,
    ahead = false,
  ): Promise<EnvironmentBuildRecord | undefined> {
    if (!hasPackages(spec) || !driver?.prepareEnvironment) return undefined;
    const key = this.buildKey(spec);
    const known = await this.options.store.environmentBuilds.get(key);
    if (known && (known.status === 'ready' || known.status === 'failed')) return known;
    let run = this.running.get(key);
    if (!run) {
      run = this.build(key, spec, driver, ahead).finally(() => this.running.delete(key));
      this.running.set(key, run);
    }
    return run;
  }

  buildKey(spec: EnvironmentBuildSpec): string {
    const packages = Object.fromEntries(
      PACKAGE_MANAGERS.map((manager) => [manager, [...new Set(spec.packages?.[manager] ?? [])].sort()]),
    );
    const { network } = spec;
    const policy = {
      type: network.type,
      allowed_hosts: [...(network.allowed_hosts ?? [])].sort(),
      allow_package_managers: network.allow_package_managers ?? false,
      allow_mcp_servers: network.allow_mcp_servers ?? false,
    };
    const key = JSON.stringify({ base: this.options.baseId, packages, network: policy });
    return createHash('sha256').update(key).digest('hex').slice(0, 32);
  }

  private async build(
    key: string,
    spec: EnvironmentBuildSpec,
    driver: SandboxDriver,
    ahead: boolean,
  ): Promise<EnvironmentBuildRecord | undefined> {
    await this.put(key, 'building', '');
    let result: Awaited<ReturnType<NonNullable<SandboxDriver['prepareEnvironment']>>>;
    try {
      result = await driver.prepareEnvironment?.(spec, { ahead });
    } catch (error) {
      // The driver could not run a build at all (no bubblewrap, no rootfs): not the config's fault,
      // so nothing is cached; the next attempt tries again.
      if (this.closed) throw error;
      // Its message may name host paths: the caller logs it (the server log), the API never shows it.
      await this.put(key, 'pending', '');
      throw error;
    }
    // A driver that installs no packages (the process driver): nothing to wait for, nothing failed.
    if (!result) return this.put(key, 'ready', 'this sandbox driver installs no packages');
    const record = await this.put(key, result.ok ? 'ready' : 'failed', result.log);
    this.options.log(`paddock: environment ${spec.environmentId} build ${record.status}`);
    return record;
  }

  private async put(
    buildKey: string,
    status: EnvironmentBuildRecord['status'],
    logTail: string,
  ): Promise<EnvironmentBuildRecord> {
    const record = { buildKey, status, logTail, updatedAt: toTimestamp(this.options.clock.now()) };
    await this.options.store.environmentBuilds.put(record);
    return record;
  }
}

/** What a cloud environment builds; undefined for self-hosted ones (their workers bring their own). */
export function environmentBuildSpec(environment: EnvironmentDocument): EnvironmentBuildSpec | undefined {
  if (environment.config.type !== 'cloud') return undefined;
  const { type: _type, ...packages } = environment.config.packages;
  const spec = { environmentId: environment.id, network: environment.config.networking, packages };
  return hasPackages(spec) ? spec : undefined;
}

function hasPackages(spec: EnvironmentBuildSpec): boolean {
  return PACKAGE_MANAGERS.some((manager) => (spec.packages?.[manager]?.length ?? 0) > 0);
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
