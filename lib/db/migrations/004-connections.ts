import type { Kysely } from 'kysely';
import { columnTypes } from './column-types';
import type { MigrationContext } from './index';

/**
 * Real-time: the open WebSocket connections of each login (lib/realtime), and the two
 * indexes `GET /api/message/updates` reads a user's messages through (sent and received,
 * by id), so catch-up never reads other users' rows.
 */
export function connectionsSchema(context: MigrationContext) {
  const { id: idType, timestamp, tableOptions } = columnTypes(context);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the current schema type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('connections')
        // API Gateway's connection id (about 16 characters today; room to spare).
        .addColumn('connection_id', 'varchar(128)', (col) => col.primaryKey())
        .addColumn('user_id', idType, (col) => col.notNull())
        .addColumn('session_id', idType, (col) => col.notNull())
        .addColumn('language', 'varchar(8)', (col) => col.notNull())
        .addColumn('connected_at', timestamp, (col) => col.notNull())
        .addForeignKeyConstraint('connections_user_fk', ['user_id'], 'users', ['id'])
        .addForeignKeyConstraint('connections_session_fk', ['session_id'], 'sessions', ['id'])
        .modifyEnd(tableOptions)
        .execute();
      // Fan-out ("every connection of user X") and the per-user cap (oldest first).
      await db.schema
        .createIndex('connections_user_idx')
        .on('connections')
        .columns(['user_id', 'connected_at'])
        .execute();
      await db.schema
        .createIndex('connections_session_idx')
        .on('connections')
        .column('session_id')
        .execute();
      // Housekeeping: rows older than the gateway's two-hour connection limit.
      await db.schema
        .createIndex('connections_connected_at_idx')
        .on('connections')
        .column('connected_at')
        .execute();

      await db.schema
        .createIndex('messages_sender_idx')
        .on('messages')
        .columns(['sender_id', 'id'])
        .execute();
      await db.schema
        .createIndex('messages_receiver_idx')
        .on('messages')
        .columns(['receiver_id', 'id'])
        .execute();
      // Housekeeping of dead logins and their spent refresh tokens.
      await db.schema
        .createIndex('refresh_tokens_expires_idx')
        .on('refresh_tokens')
        .column('expires_at')
        .execute();
      await db.schema
        .createIndex('sessions_revoked_idx')
        .on('sessions')
        .column('revoked_at')
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('sessions_revoked_idx').on('sessions').execute();
      await db.schema.dropIndex('refresh_tokens_expires_idx').on('refresh_tokens').execute();
      await db.schema.dropIndex('messages_receiver_idx').on('messages').execute();
      await db.schema.dropIndex('messages_sender_idx').on('messages').execute();
      await db.schema.dropTable('connections').execute();
    },
  };
}
