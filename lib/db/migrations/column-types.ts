import { sql } from 'kysely';
import type { MigrationContext } from './index';

/**
 * Column types and table options shared by the migrations. Shipped migrations depend on
 * these exact values: add new helpers rather than change these.
 */
export function columnTypes({ dialect }: MigrationContext) {
  const isMysql = dialect === 'mysql';
  return {
    // SQLite only auto-increments an INTEGER PRIMARY KEY; MySQL ids are BIGINT.
    id: isMysql ? ('bigint' as const) : ('integer' as const),
    timestamp: sql`datetime(3)`,
    // utf8mb4 keeps 4-byte characters; the binary collation makes comparisons and ordering
    // byte-exact, as on SQLite, so both dialects answer identically.
    tableOptions: isMysql ? sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin` : sql``,
  };
}
