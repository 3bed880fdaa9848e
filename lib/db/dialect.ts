import { MysqlAdapter, type Kysely } from 'kysely';

/** Whether a Kysely instance (or transaction) talks to MySQL; otherwise it is SQLite. */
export function isMysql<T>(db: Kysely<T>): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}
