import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, MysqlDialect, SqliteDialect, sql, type Dialect, type LogEvent } from 'kysely';
import { getConfig, type Config } from '../config';
import { AppError } from '../errors';
import { DatabaseUnavailableError } from './errors';
import { withQueryTimeout } from './mysql-pool';
import { mysqlTlsOptions } from './tls';
import { databasePassword } from '../secrets';
import { logger } from '../logger';
import { migrateToLatest } from './migrate';
import { loadSqliteDriver } from './sqlite-driver';
import type { Database } from './schema';
import type { Database as BetterSqliteDatabase } from 'better-sqlite3';
import type { PoolOptions } from 'mysql2';

export type DatabaseClient = Kysely<Database>;

let opening: Promise<DatabaseClient> | undefined;

/** A query as sent to the database: SQL text with placeholders, and its duration. */
export interface ExecutedQuery {
  sql: string;
  parameters: readonly unknown[];
  durationMs: number;
}

const queryObservers = new Set<(query: ExecutedQuery) => void>();

/** Calls `observer` with every query this container runs, until the returned function is called. */
export function observeQueries(observer: (query: ExecutedQuery) => void): () => void {
  queryObservers.add(observer);
  return () => queryObservers.delete(observer);
}

function onQuery(event: LogEvent): void {
  const query = {
    sql: event.query.sql,
    parameters: event.query.parameters,
    durationMs: event.queryDurationMillis,
  };
  for (const observer of queryObservers) observer(query);
  // SQL text only: parameters may hold password hashes.
  logger.debug('query', {
    sql: query.sql,
    durationMs: query.durationMs,
    failed: event.level === 'error',
  });
}

/**
 * The container's database client: created on first use, migrated once, then reused by
 * every invocation the container serves. A failed open is forgotten, so the next request
 * tries again (the database may be back).
 */
export function getDb(): Promise<DatabaseClient> {
  opening ??= open(getConfig()).catch((error: unknown) => {
    opening = undefined;
    throw error;
  });
  return opening;
}

/** Closes the pool or file; the next getDb() opens a new one. For tests and scripts. */
export async function closeDb(): Promise<void> {
  const current = opening;
  opening = undefined;
  if (current) await (await current.catch(() => undefined))?.destroy();
}

/** One round trip to the database; SERVICE_UNAVAILABLE when it does not answer. */
export async function pingDatabase(): Promise<void> {
  try {
    await sql`select 1`.execute(await getDb());
  } catch (error) {
    throw new AppError('SERVICE_UNAVAILABLE', undefined, { cause: error });
  }
}

async function open(config: Config): Promise<DatabaseClient> {
  let dialect: Dialect;
  try {
    dialect = await createDialect(config.db);
  } catch (error) {
    throw new DatabaseUnavailableError('cannot open the database', { cause: error });
  }
  const db = new Kysely<Database>({ dialect, log: onQuery });
  if (config.autoMigrate) {
    try {
      const applied = await migrateToLatest(db, config.db.type);
      if (applied.length > 0) logger.info('database migrated', { migrations: applied });
    } catch (error) {
      await db.destroy().catch(() => undefined);
      throw error;
    }
  }
  return db;
}

async function createDialect(db: Config['db']): Promise<Dialect> {
  if (db.type === 'sqlite') {
    return new SqliteDialect({ database: await openSqlite(db.path) });
  }

  const { createPool } = await import('mysql2');
  const pool = createPool(mysqlPoolOptions(db));
  return new MysqlDialect({ pool: withQueryTimeout(pool, db.queryTimeoutMs) });
}

/** The SQLite file with the service's settings (the benchmark's baseline opens it the same way). */
export async function openSqlite(path: string): Promise<BetterSqliteDatabase> {
  const SQLite = await loadSqliteDriver();
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  await enableWal(database);
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  // Several processes (serverless-offline workers, tests) share the file: wait, don't fail.
  database.pragma('busy_timeout = 5000');
  return database;
}

/**
 * Switching a new file to WAL needs it alone for a moment, and SQLite answers SQLITE_BUSY at
 * once (busy_timeout does not apply) while another connection is opening or writing it:
 * two `npm run migrate`, or offline workers serving a first burst of requests. So: retry,
 * for as long as busy_timeout would have waited.
 */
async function enableWal(database: BetterSqliteDatabase, waitMs = 5000): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY';
      if (!busy || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
    }
  }
}

/** The mysql2 pool settings of the service (the benchmark's baseline uses them too). */
export function mysqlPoolOptions(db: Extract<Config['db'], { type: 'mysql' }>): PoolOptions {
  return {
    host: db.host,
    port: db.port,
    user: db.user,
    // From SSM Parameter Store in deployed stages (lib/secrets), else DB_PASSWORD.
    password: databasePassword(db),
    // Verified TLS (DB_SSL): on by default in deployed stages.
    ssl: mysqlTlsOptions(db.ssl),
    database: db.database,
    connectionLimit: db.poolSize,
    connectTimeout: db.connectTimeoutMs,
    charset: 'UTF8MB4_BIN',
    // Timestamps stay strings (see ./time.ts); counts come back as numbers.
    dateStrings: true,
    timezone: 'Z',
    supportBigNumbers: true,
    decimalNumbers: true,
    enableKeepAlive: true,
  };
}
