import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types';
import type { MigrationContext } from './index';

/**
 * The friend list in pages (issue 15) and the 5,000-friend cap: `friend_entries` holds each
 * friendship once per side, keyed by the owner and the friend's username key, so a page is
 * one primary-key range read in list order whatever the number of friends; `friend_count`
 * on users is the list's `count` and the cap, kept in the add and remove transactions.
 * Usernames never change, so the copied key never goes stale. Both are filled from the
 * friendships that exist.
 */
export function friendListSchema(context: MigrationContext) {
  const { id: idType, timestamp, tableOptions } = columnTypes(context);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the current schema type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('users')
        .addColumn('friend_count', 'integer', (col) => col.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('friend_entries')
        .addColumn('owner_id', idType, (col) => col.notNull())
        .addColumn('friend_key', 'varchar(128)', (col) => col.notNull())
        .addColumn('friend_id', idType, (col) => col.notNull())
        .addColumn('since', timestamp, (col) => col.notNull())
        .addPrimaryKeyConstraint('friend_entries_pk', ['owner_id', 'friend_key', 'friend_id'])
        .addForeignKeyConstraint('friend_entries_owner_fk', ['owner_id'], 'users', ['id'])
        .addForeignKeyConstraint('friend_entries_friend_fk', ['friend_id'], 'users', ['id'])
        .modifyEnd(tableOptions)
        .execute();
      await db.schema
        .createIndex('friend_entries_friend_idx')
        .on('friend_entries')
        .columns(['friend_id', 'owner_id'])
        .execute();

      for (const [owner, friend] of [
        ['user_low_id', 'user_high_id'],
        ['user_high_id', 'user_low_id'],
      ] as const) {
        await sql`insert into friend_entries (owner_id, friend_key, friend_id, since)
          select ${sql.ref(`f.${owner}`)}, u.username_key, u.id, f.created_at
          from friendships f join users u on u.id = ${sql.ref(`f.${friend}`)}`.execute(db);
      }
      await sql`update users set friend_count =
        (select count(*) from friend_entries e where e.owner_id = users.id)`.execute(db);
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('friend_entries').execute();
      await db.schema.alterTable('users').dropColumn('friend_count').execute();
    },
  };
}
