import { invalidRequest } from '../errors.js';
import type { EnvironmentConfigParam, NetworkingParam, PackagesParam } from '../schemas/environments.js';
import {
  type CloudConfig,
  type EnvironmentConfig,
  type EnvironmentRepository,
  type Networking,
  PACKAGE_MANAGERS,
  type Packages,
} from './environment.js';
import { resolveGithubRepositories } from './repositories.js';

export interface ResolvedConfig {
  config: EnvironmentConfig;
  repositories: EnvironmentRepository[];
}

/** An omitted config is cloud with unrestricted networking and no packages (spec §3.2 [decide]). */
export function defaultCloudConfig(): CloudConfig {
  return { type: 'cloud', networking: { type: 'unrestricted' }, packages: resolvePackages(undefined) };
}

/**
 * Resolves a config param to the canonical wire config. On update, `current`
 * supplies every omitted sub-field; `null` resets a sub-field to its default.
 */
export function resolveConfig(
  param: EnvironmentConfigParam | null | undefined,
  current?: ResolvedConfig,
): ResolvedConfig {
  if (param === undefined || param === null) {
    return current ?? { config: defaultCloudConfig(), repositories: [] };
  }
  if (current && current.config.type !== param.type) {
    throw invalidRequest(
      `config.type: an environment's config type cannot change (it is ${current.config.type}, got ${param.type}); create a new environment instead`,
      { errorCode: 'invalid_config_type_change' },
    );
  }
  if (param.type === 'self_hosted') return { config: { type: 'self_hosted' }, repositories: [] };
  const currentCloud = current?.config.type === 'cloud' ? current.config : undefined;
  const config: CloudConfig = {
    type: 'cloud',
    networking: resolveNetworking(param.networking, currentCloud?.networking),
    packages: resolvePackages(param.packages, currentCloud?.packages),
  };
  checkPackageManagersAllowed(config);
  const repositories =
    param.github === undefined
      ? (current?.repositories ?? [])
      : param.github === null
        ? []
        : resolveGithubRepositories(param.github);
  return { config, repositories };
}

function resolveNetworking(param: NetworkingParam | null | undefined, current?: Networking): Networking {
  if (param === undefined) return current ?? { type: 'unrestricted' };
  if (param === null || param.type === 'unrestricted') return { type: 'unrestricted' };
  const currentLimited = current?.type === 'limited' ? current : undefined;
  const pick = <T>(value: T | null | undefined, kept: T | undefined, fallback: T): T =>
    value === undefined ? (kept ?? fallback) : (value ?? fallback);
  return {
    type: 'limited',
    allowed_hosts: pick(param.allowed_hosts, currentLimited?.allowed_hosts, []),
    allow_mcp_servers: pick(param.allow_mcp_servers, currentLimited?.allow_mcp_servers, false),
    allow_package_managers: pick(param.allow_package_managers, currentLimited?.allow_package_managers, false),
  };
}

/** Every manager's list is always present on the wire; an omitted one keeps its current list. */
function resolvePackages(param: PackagesParam | null | undefined, current?: Packages): Packages {
  const packages = { type: 'packages' } as Packages;
  for (const manager of PACKAGE_MANAGERS) {
    const value = param === null ? null : param?.[manager];
    packages[manager] = value === undefined ? [...(current?.[manager] ?? [])] : [...(value ?? [])];
  }
  return packages;
}

function checkPackageManagersAllowed(config: CloudConfig): void {
  const hasPackages = PACKAGE_MANAGERS.some((manager) => config.packages[manager].length > 0);
  if (hasPackages && config.networking.type === 'limited' && !config.networking.allow_package_managers) {
    throw invalidRequest(
      'config.networking.allow_package_managers: must be true when packages are set under limited networking',
    );
  }
}
