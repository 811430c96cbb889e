/** The Environment object as it goes on the wire (BetaEnvironment), plus the stored form. */

export const PACKAGE_MANAGERS = ['apt', 'cargo', 'gem', 'go', 'npm', 'pip'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

export type Packages = { type: 'packages' } & Record<PackageManager, string[]>;

export type Networking =
  | { type: 'unrestricted' }
  | {
      type: 'limited';
      allowed_hosts: string[];
      allow_mcp_servers: boolean;
      allow_package_managers: boolean;
    };

export interface CloudConfig {
  type: 'cloud';
  networking: Networking;
  packages: Packages;
}

export interface SelfHostedConfig {
  type: 'self_hosted';
}

export type EnvironmentConfig = CloudConfig | SelfHostedConfig;

export interface Environment {
  type: 'environment';
  id: string;
  name: string;
  description: string | null;
  config: EnvironmentConfig;
  metadata: Record<string, string>;
  scope: 'organization' | 'account';
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

/** A repository the guide's `config.github` form asks every session to mount. */
export interface EnvironmentRepository {
  url: string;
  mount_path: string;
  checkout: { type: 'branch'; name: string } | null;
}

/**
 * What the store keeps. The SDK's Environment has no repository field, so the
 * guide's form lives in a private field that `toWire` strips.
 */
export interface EnvironmentDocument extends Environment {
  _repositories?: EnvironmentRepository[];
}

export function toWire(document: EnvironmentDocument): Environment {
  const { _repositories: _hidden, ...environment } = document;
  return environment;
}
