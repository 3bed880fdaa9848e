import type { Kysely } from 'kysely';
import { columnTypes } from './column-types';
import type { MigrationContext } from './index';

/**
 * Logins as sessions, with rotating refresh tokens (stored only as SHA-256 hashes).
 * Access tokens name their session, so logging out or a detected refresh-token theft
 * revokes them at once.
 */
export function sessionsSchema(context: MigrationContext) {
  const { id: idType, timestamp, tableOptions } = columnTypes(context);

  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the current schema type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('sessions')
        .addColumn('id', idType, (col) => col.primaryKey().autoIncrement())
        .addColumn('user_id', idType, (col) => col.notNull())
        .addColumn('token_version', 'integer', (col) => col.notNull())
        .addColumn('created_at', timestamp, (col) => col.notNull())
        .addColumn('revoked_at', timestamp)
        .addForeignKeyConstraint('sessions_user_fk', ['user_id'], 'users', ['id'])
        .modifyEnd(tableOptions)
        .execute();
      await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('refresh_tokens')
        .addColumn('token_hash', 'char(64)', (col) => col.primaryKey())
        .addColumn('session_id', idType, (col) => col.notNull())
        .addColumn('created_at', timestamp, (col) => col.notNull())
        .addColumn('expires_at', timestamp, (col) => col.notNull())
        .addColumn('used_at', timestamp)
        .addForeignKeyConstraint('refresh_tokens_session_fk', ['session_id'], 'sessions', ['id'])
        .modifyEnd(tableOptions)
        .execute();
      await db.schema
        .createIndex('refresh_tokens_session_idx')
        .on('refresh_tokens')
        .column('session_id')
        .execute();
    },

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('refresh_tokens').execute();
      await db.schema.dropTable('sessions').execute();
    },
  };
}
