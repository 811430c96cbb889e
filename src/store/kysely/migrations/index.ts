import { deploymentsMigration } from './0010_deployments.js';
import { webhooksMigration } from './0011_webhooks.js';
import type { DialectMigration } from './dialect-migration.js';

/**
 * Migrations after 0008, one file each (0001–0008 live in ../migrations.ts).
 * Append new ones under their number; never edit a released one.
 */
export const laterMigrations: Record<string, DialectMigration> = {
  '0010_deployments': deploymentsMigration,
  '0011_webhooks': webhooksMigration,
};
