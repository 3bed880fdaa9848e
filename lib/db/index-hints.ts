import { sql, type Selectable } from 'kysely';
import type { Kysely } from 'kysely';
import { isMysql } from './dialect';
import type { Database } from './schema';

/**
 * `<table> as <alias>`, read through `index` whatever the optimizer's statistics say
 * (`FORCE INDEX` on MySQL, `INDEXED BY` on SQLite). For queries whose cost must not depend
 * on the data's shape; a test keeps each plan (test/mysql/*-query-plans.test.ts).
 */
export function throughIndex<T extends keyof Database & string, A extends string>(
  db: Kysely<Database>,
  table: T,
  index: string,
  alias: A,
) {
  const hint = isMysql(db)
    ? sql`force index (${sql.raw(index)})`
    : sql`indexed by ${sql.raw(index)}`;
  return sql<Selectable<Database[T]>>`${sql.table(table)}`.as<A>(sql`${sql.raw(alias)} ${hint}`);
}
