import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { ResultSetHeader } from 'mysql2';
import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { getConfig } from '../lib/config';
import { mysqlPoolOptions, openSqlite } from '../lib/db/connection';
import type { DbType } from './types';

/**
 * The baselines' database access: the service's driver with the service's connection
 * settings, hand-written SQL with `?` placeholders, and nothing else (no query builder,
 * no middleware). On SQLite, statements are prepared once and reused.
 */
/** What the baselines bind: the service stores only numbers, strings and NULL. */
export type SqlValue = string | number | null;

export interface RawSession {
  rows<T>(sql: string, parameters?: readonly SqlValue[]): Promise<T[]>;
  run(
    sql: string,
    parameters?: readonly SqlValue[],
  ): Promise<{ insertId: number; changes: number }>;
}

export interface RawDb extends RawSession {
  dialect: DbType;
  /** Statements sent so far (BEGIN and COMMIT included), to report statements per call. */
  statements(): number;
  /** One write transaction (BEGIN IMMEDIATE on SQLite, as the service does). */
  transaction<T>(work: (session: RawSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openRawDb(): Promise<RawDb> {
  const { db } = getConfig();
  const raw =
    db.type === 'mysql'
      ? mysqlRawDb(createPool(mysqlPoolOptions(db)))
      : sqliteRawDb(await openSqlite(db.path));
  let sent = 0;
  const counted = (session: RawSession): RawSession => ({
    rows: (sql, parameters) => {
      sent += 1;
      return session.rows(sql, parameters);
    },
    run: (sql, parameters) => {
      sent += 1;
      return session.run(sql, parameters);
    },
  });
  return {
    ...raw,
    ...counted(raw),
    statements: () => sent,
    transaction: (work) => {
      sent += 2;
      return raw.transaction((session) => work(counted(session)));
    },
  };
}

type UncountedRawDb = Omit<RawDb, 'statements'>;

function mysqlSession(target: Pool | PoolConnection): RawSession {
  return {
    async rows<T>(sql: string, parameters: readonly SqlValue[] = []) {
      const [rows] = await target.query(sql, [...parameters]);
      return rows as T[];
    },
    async run(sql: string, parameters: readonly SqlValue[] = []) {
      const [result] = await target.query<ResultSetHeader>(sql, [...parameters]);
      return { insertId: result.insertId, changes: result.affectedRows };
    },
  };
}

function mysqlRawDb(pool: Pool): UncountedRawDb {
  return {
    dialect: 'mysql',
    ...mysqlSession(pool),
    async transaction(work) {
      const connection = await pool.getConnection();
      try {
        await connection.beginTransaction();
        const result = await work(mysqlSession(connection));
        await connection.commit();
        return result;
      } catch (error) {
        await connection.rollback().catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}

function sqliteRawDb(database: SqliteDatabase): UncountedRawDb {
  const statements = new Map<string, Statement>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const session: RawSession = {
    rows: async <T>(sql: string, parameters: readonly SqlValue[] = []) =>
      prepared(sql).all(...parameters) as T[],
    run: async (sql, parameters = []) => {
      const result = prepared(sql).run(...parameters);
      return { insertId: Number(result.lastInsertRowid), changes: result.changes };
    },
  };
  // One connection: a transaction (its awaits included) must not interleave with other
  // callers' statements, so everything queues behind it, as Kysely's SQLite driver does.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    dialect: 'sqlite',
    rows: (sql, parameters) => exclusive(() => session.rows(sql, parameters)),
    run: (sql, parameters) => exclusive(() => session.run(sql, parameters)),
    transaction: (work) =>
      exclusive(async () => {
        prepared('begin immediate').run();
        try {
          const result = await work(session);
          prepared('commit').run();
          return result;
        } catch (error) {
          prepared('rollback').run();
          throw error;
        }
      }),
    close: async () => {
      database.close();
    },
  };
}
