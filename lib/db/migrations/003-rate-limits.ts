import type { Kysely } from 'kysely';
import { columnTypes } from './column-types';
import type { MigrationContext } from './index';

/** Fixed-window request counters, shared by every Lambda instance (lib/rate-limits.ts). */
export function rateLimitsSchema(context: MigrationContext) {
  const { timestamp, tableOptions } = columnTypes(context);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the current schema type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('rate_limit_counters')
        .addColumn('bucket', 'varchar(255)', (col) => col.primaryKey())
        .addColumn('hits', 'integer', (col) => col.notNull())
        .addColumn('expires_at', timestamp, (col) => col.notNull())
        .modifyEnd(tableOptions)
        .execute();
      await db.schema
        .createIndex('rate_limit_counters_expires_idx')
        .on('rate_limit_counters')
        .column('expires_at')
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('rate_limit_counters').execute();
    },
  };
}
