import type { MysqlPool, MysqlPoolConnection, MysqlQueryResult } from 'kysely';
import type { Pool, PoolConnection } from 'mysql2';

type QueryCallback = (error: unknown, result: MysqlQueryResult) => void;

/** What Kysely sees when a query outlives its time: the database counts as unreachable. */
export class QueryTimeoutError extends Error {
  override name = 'QueryTimeoutError';
  readonly code = 'ER_QUERY_TIMEOUT';
}

/**
 * A mysql2 pool, as Kysely uses it, whose every query fails after `timeoutMs`. A timed-out
 * connection is destroyed, never reused (its state is unknown), so a database that stops
 * answering (a network partition, a hung server) costs a request seconds, not forever.
 */
export function withQueryTimeout(pool: Pool, timeoutMs: number): MysqlPool {
  const timed = (connection: PoolConnection): MysqlPoolConnection => {
    function query(sql: string, parameters: unknown[], done?: QueryCallback) {
      // Kysely streams only through the two-argument form, which this service never uses.
      if (done === undefined) return connection.query(sql, parameters);
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        connection.destroy();
        done(new QueryTimeoutError(`query did not answer within ${timeoutMs} ms`), []);
      }, timeoutMs);
      connection.query(sql, parameters, (error, result) => {
        if (settled) return;
        clearTimeout(timer);
        done(error, result as MysqlQueryResult);
      });
      return undefined;
    }
    return { query: query as MysqlPoolConnection['query'], release: () => connection.release() };
  };

  return {
    getConnection: (callback) =>
      pool.getConnection((error, connection) =>
        callback(error, error ? (connection as unknown as MysqlPoolConnection) : timed(connection)),
      ),
    end: (callback) => pool.end(callback),
  };
}
