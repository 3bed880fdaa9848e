import type { Kysely } from 'kysely';
import { columnTypes } from './column-types';
import type { MigrationContext } from './index';

/**
 * Auth hardening (issue 13):
 * - rate limits become sliding windows: `rate_limit_counters` is recreated with, per
 *   (limit, keyed hash of the subject), the timestamps of the uses still counted
 *   (lib/rate-limits.ts); the old fixed-window counters are simply dropped;
 * - each refresh token remembers the token it replaced (`parent_hash`), so a replayed token
 *   is still recognised after housekeeping has removed its spent row;
 * - spent refresh tokens are found by `used_at` for housekeeping.
 */
export function authHardeningSchema(context: MigrationContext) {
  const { timestamp, tableOptions } = columnTypes(context);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the current schema type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('rate_limit_counters').execute();
      await db.schema
        .createTable('rate_limit_counters')
        .addColumn('bucket', 'varchar(255)', (col) => col.primaryKey())
        .addColumn('stamps', 'text', (col) => col.notNull())
        .addColumn('blocked_until', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', timestamp, (col) => col.notNull())
        .modifyEnd(tableOptions)
        .execute();
      await db.schema
        .createIndex('rate_limit_counters_expires_idx')
        .on('rate_limit_counters')
        .column('expires_at')
        .execute();

      await db.schema.alterTable('refresh_tokens').addColumn('parent_hash', 'char(64)').execute();
      await db.schema
        .createIndex('refresh_tokens_parent_idx')
        .on('refresh_tokens')
        .column('parent_hash')
        .execute();
      await db.schema
        .createIndex('refresh_tokens_used_idx')
        .on('refresh_tokens')
        .column('used_at')
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('refresh_tokens_used_idx').on('refresh_tokens').execute();
      await db.schema.dropIndex('refresh_tokens_parent_idx').on('refresh_tokens').execute();
      await db.schema.alterTable('refresh_tokens').dropColumn('parent_hash').execute();
      // Back to 003's fixed windows, empty: counts restart, as they would at a window's end.
      await db.schema.dropTable('rate_limit_counters').execute();
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
  };
}
