import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types';
import type { MigrationContext } from './index';

/**
 * Chat management: recall (messages.recalled_at; the content is erased in place), blocks
 * (one row per blocker and blocked user), and each owner's chat settings on their
 * conversation rows (pinned, muted, hidden). The chat list reads through a new index in its
 * own order; `unread_totals` keeps each user's unread count outside muted chats, so
 * `total_unread` is one primary-key read however many chats there are.
 */
export function chatManagementSchema(context: MigrationContext) {
  const { id: idType, timestamp, tableOptions } = columnTypes(context);
  const isMysql = context.dialect === 'mysql';
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the current schema type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('messages').addColumn('recalled_at', timestamp).execute();

      for (const flag of ['pinned', 'muted', 'hidden']) {
        await db.schema
          .alterTable('conversations')
          .addColumn(flag, 'boolean', (col) => col.notNull().defaultTo(false))
          .execute();
      }
      // The chat list: one owner's visible rows, pinned first, each group newest first.
      await db.schema
        .createIndex('conversations_list_idx')
        .on('conversations')
        .columns(['owner_id', 'hidden', 'pinned', 'last_message_id'])
        .execute();
      await (
        isMysql
          ? sql`drop index conversations_recent_idx on conversations`
          : sql`drop index conversations_recent_idx`
      ).execute(db);

      await db.schema
        .createTable('blocks')
        .addColumn('blocker_id', idType, (col) => col.notNull())
        .addColumn('blocked_id', idType, (col) => col.notNull())
        .addColumn('created_at', timestamp, (col) => col.notNull())
        .addPrimaryKeyConstraint('blocks_pk', ['blocker_id', 'blocked_id'])
        .addForeignKeyConstraint('blocks_blocker_fk', ['blocker_id'], 'users', ['id'])
        .addForeignKeyConstraint('blocks_blocked_fk', ['blocked_id'], 'users', ['id'])
        .modifyEnd(tableOptions)
        .execute();
      await db.schema.createIndex('blocks_blocked_idx').on('blocks').column('blocked_id').execute();
      // GET /api/friend/blocked: one blocker's rows, newest first.
      await db.schema
        .createIndex('blocks_recent_idx')
        .on('blocks')
        .columns(['blocker_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('unread_totals')
        .addColumn('user_id', idType, (col) => col.primaryKey())
        .addColumn('unread_count', 'integer', (col) => col.notNull().defaultTo(0))
        .addForeignKeyConstraint('unread_totals_user_fk', ['user_id'], 'users', ['id'])
        .modifyEnd(tableOptions)
        .execute();
      // Nothing is muted yet: each total is the sum of the owner's unread counts.
      await sql`insert into unread_totals (user_id, unread_count)
        select owner_id, sum(unread_count) from conversations group by owner_id`.execute(db);
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('unread_totals').execute();
      await db.schema.dropTable('blocks').execute();
      await db.schema
        .createIndex('conversations_recent_idx')
        .on('conversations')
        .columns(['owner_id', 'last_message_id'])
        .execute();
      await (
        isMysql
          ? sql`drop index conversations_list_idx on conversations`
          : sql`drop index conversations_list_idx`
      ).execute(db);
      for (const column of ['hidden', 'muted', 'pinned']) {
        await db.schema.alterTable('conversations').dropColumn(column).execute();
      }
      await db.schema.alterTable('messages').dropColumn('recalled_at').execute();
    },
  };
}
