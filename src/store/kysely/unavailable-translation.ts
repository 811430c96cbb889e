import type { DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely';
import { storeUnavailable } from '../../core/store-unavailable.js';

/**
 * A dialect whose driver errors that `isUnavailable` recognises come out as the core's
 * storeUnavailable (core/store-unavailable.ts), the way unique-violation.ts turns a dialect's
 * unique violation into the core's conflict: every query, connection and transaction step of
 * every repository goes through the driver, so this one wrapper covers them all and the core
 * never sees a driver's codes.
 */
export function translatingUnavailable(
  dialect: Dialect,
  isUnavailable: (error: unknown) => boolean,
): Dialect {
  const translate = (error: unknown): unknown => (isUnavailable(error) ? storeUnavailable(error) : error);
  const guard = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      throw translate(error);
    }
  };
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => translatingDriver(dialect.createDriver(), guard, translate),
  };
}

type Guard = <T>(operation: () => Promise<T>) => Promise<T>;

/** Wraps each connection the driver hands out; the inner driver always gets its own connection back. */
function translatingDriver(driver: Driver, guard: Guard, translate: (error: unknown) => unknown): Driver {
  const inner = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const unwrap = (connection: DatabaseConnection) => inner.get(connection) ?? connection;
  return {
    init: () => guard(() => driver.init()),
    acquireConnection: () =>
      guard(async () => {
        const connection = await driver.acquireConnection();
        const wrapped: DatabaseConnection = {
          executeQuery: <R>(query: Parameters<DatabaseConnection['executeQuery']>[0]) =>
            guard(() => connection.executeQuery<R>(query)),
          streamQuery: <R>(
            query: Parameters<DatabaseConnection['streamQuery']>[0],
            chunkSize?: number,
          ): AsyncIterableIterator<QueryResult<R>> =>
            translatingStream(connection.streamQuery<R>(query, chunkSize), translate),
        };
        inner.set(wrapped, connection);
        return wrapped;
      }),
    beginTransaction: (connection, settings) =>
      guard(() => driver.beginTransaction(unwrap(connection), settings)),
    commitTransaction: (connection) => guard(() => driver.commitTransaction(unwrap(connection))),
    rollbackTransaction: (connection) => guard(() => driver.rollbackTransaction(unwrap(connection))),
    ...(driver.savepoint && {
      savepoint: (connection, name, compile) =>
        guard(() => driver.savepoint!(unwrap(connection), name, compile)),
    }),
    ...(driver.rollbackToSavepoint && {
      rollbackToSavepoint: (connection, name, compile) =>
        guard(() => driver.rollbackToSavepoint!(unwrap(connection), name, compile)),
    }),
    ...(driver.releaseSavepoint && {
      releaseSavepoint: (connection, name, compile) =>
        guard(() => driver.releaseSavepoint!(unwrap(connection), name, compile)),
    }),
    releaseConnection: (connection) => driver.releaseConnection(unwrap(connection)),
    destroy: () => driver.destroy(),
  };
}

async function* translatingStream<R>(
  stream: AsyncIterableIterator<QueryResult<R>>,
  translate: (error: unknown) => unknown,
): AsyncIterableIterator<QueryResult<R>> {
  try {
    yield* stream;
  } catch (error) {
    throw translate(error);
  }
}
