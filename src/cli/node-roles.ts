import { isPostgresUrl, type PaddockConfig } from '../config/config.js';

/** An API node that drives no sessions only makes sense when workers share its database. */
export function checkApiOnlyNode(config: PaddockConfig): void {
  if (!config.harness && !isPostgresUrl(config.databaseUrl))
    throw new Error(
      'PADDOCK_HARNESS=false (or --no-harness) leaves sessions to `paddock worker` nodes, which need Postgres: set PADDOCK_DATABASE_URL=postgres://…',
    );
}
