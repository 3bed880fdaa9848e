import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types';
import type { MigrationContext } from './index';

/**
 * The schema of the whole contract: users, friendships, messages and the per-user
 * conversation summary behind the chat list. Keep `schema.sql` in step with it.
 */
export function initialSchema(context: MigrationContext) {
  const { id: idType, timestamp, tableOptions } = columnTypes(context);

  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the current schema type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', idType, (col) => col.primaryKey().autoIncrement())
        .addColumn('username', 'varchar(32)', (col) => col.notNull())
        .addColumn('username_key', 'varchar(128)', (col) => col.notNull())
        .addColumn('email', 'varchar(254)', (col) => col.notNull())
        .addColumn('password_hash', 'varchar(100)', (col) => col.notNull())
        .addColumn('token_version', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('created_at', timestamp, (col) => col.notNull())
        .addColumn('updated_at', timestamp, (col) => col.notNull())
        .addUniqueConstraint('users_username_key_uq', ['username_key'])
        .addUniqueConstraint('users_email_uq', ['email'])
        .modifyEnd(tableOptions)
        .execute();

      await db.schema
        .createTable('friendships')
        .addColumn('user_low_id', idType, (col) => col.notNull())
        .addColumn('user_high_id', idType, (col) => col.notNull())
        .addColumn('created_by', idType, (col) => col.notNull())
        .addColumn('created_at', timestamp, (col) => col.notNull())
        .addPrimaryKeyConstraint('friendships_pk', ['user_low_id', 'user_high_id'])
        .addForeignKeyConstraint('friendships_low_fk', ['user_low_id'], 'users', ['id'])
        .addForeignKeyConstraint('friendships_high_fk', ['user_high_id'], 'users', ['id'])
        .addForeignKeyConstraint('friendships_created_by_fk', ['created_by'], 'users', ['id'])
        .addCheckConstraint('friendships_pair_order', sql`user_low_id < user_high_id`)
        .modifyEnd(tableOptions)
        .execute();
      await db.schema
        .createIndex('friendships_high_idx')
        .on('friendships')
        .columns(['user_high_id', 'user_low_id'])
        .execute();
      await db.schema
        .createIndex('friendships_created_by_idx')
        .on('friendships')
        .column('created_by')
        .execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', idType, (col) => col.primaryKey().autoIncrement())
        .addColumn('sender_id', idType, (col) => col.notNull())
        .addColumn('receiver_id', idType, (col) => col.notNull())
        .addColumn('user_low_id', idType, (col) => col.notNull())
        .addColumn('user_high_id', idType, (col) => col.notNull())
        .addColumn('content', 'text', (col) => col.notNull())
        .addColumn('message_type', 'varchar(16)', (col) => col.notNull().defaultTo('text'))
        .addColumn('client_msg_id', 'varchar(64)')
        .addColumn('is_read', 'boolean', (col) => col.notNull().defaultTo(false))
        .addColumn('read_at', timestamp)
        .addColumn('created_at', timestamp, (col) => col.notNull())
        .addUniqueConstraint('messages_sender_client_msg_uq', ['sender_id', 'client_msg_id'])
        .addForeignKeyConstraint('messages_sender_fk', ['sender_id'], 'users', ['id'])
        .addForeignKeyConstraint('messages_receiver_fk', ['receiver_id'], 'users', ['id'])
        .modifyEnd(tableOptions)
        .execute();
      // History pages: one conversation, newest first, by id.
      await db.schema
        .createIndex('messages_conversation_idx')
        .on('messages')
        .columns(['user_low_id', 'user_high_id', 'id'])
        .execute();
      // mark_read touches only the unread rows of one sender to one receiver.
      await db.schema
        .createIndex('messages_unread_idx')
        .on('messages')
        .columns(['receiver_id', 'sender_id', 'is_read', 'id'])
        .execute();

      await db.schema
        .createTable('conversations')
        .addColumn('owner_id', idType, (col) => col.notNull())
        .addColumn('peer_id', idType, (col) => col.notNull())
        .addColumn('last_message_id', idType, (col) => col.notNull())
        .addColumn('unread_count', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('message_count', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('updated_at', timestamp, (col) => col.notNull())
        .addPrimaryKeyConstraint('conversations_pk', ['owner_id', 'peer_id'])
        .addForeignKeyConstraint('conversations_owner_fk', ['owner_id'], 'users', ['id'])
        .addForeignKeyConstraint('conversations_peer_fk', ['peer_id'], 'users', ['id'])
        .addForeignKeyConstraint('conversations_last_message_fk', ['last_message_id'], 'messages', [
          'id',
        ])
        .modifyEnd(tableOptions)
        .execute();
      // The chat list: one owner's rows, newest last message first.
      await db.schema
        .createIndex('conversations_recent_idx')
        .on('conversations')
        .columns(['owner_id', 'last_message_id'])
        .execute();
      await db.schema
        .createIndex('conversations_peer_idx')
        .on('conversations')
        .column('peer_id')
        .execute();
      await db.schema
        .createIndex('conversations_last_message_idx')
        .on('conversations')
        .column('last_message_id')
        .execute();
    },

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['conversations', 'messages', 'friendships', 'users']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
