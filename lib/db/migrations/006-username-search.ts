import { sql, type Kysely } from 'kysely';
import { usernameGramRows, usernameSkeleton } from '../../usernames';
import { columnTypes } from './column-types';
import type { MigrationContext } from './index';

const BATCH = 1000;

/**
 * Look-alike usernames and a search index. `users.username_skeleton` is each name's UTS #39
 * skeleton (lib/usernames.ts), unique together with `skeleton_tiebreak`: 0 for a name that
 * owns its skeleton, which is every name registered from now on. Names that already shared
 * a skeleton with an older account when this ran keep working, with their own id as
 * tiebreak; the oldest account owns the skeleton, so no new look-alike can register.
 * `username_grams` holds every substring of two to four characters of every skeleton and
 * its prefixes of one to four, read in username order by search. Both are filled here for existing users. (The skeleton is
 * computed by today's code: a later Unicode data update that changes skeletons needs its
 * own migration to re-key.)
 */
export function usernameSearchSchema(context: MigrationContext) {
  const { id: idType, tableOptions } = columnTypes(context);
  const isMysql = context.dialect === 'mysql';
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the current schema type
    async up(db: Kysely<any>): Promise<void> {
      // SQLite adds a NOT NULL column only with a default; MySQL fills '' by itself.
      await db.schema
        .alterTable('users')
        .addColumn('username_skeleton', 'varchar(255)', (col) =>
          isMysql ? col.notNull() : col.notNull().defaultTo(''),
        )
        .execute();
      await db.schema
        .alterTable('users')
        .addColumn('skeleton_tiebreak', idType, (col) => col.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('username_grams')
        .addColumn('user_id', idType, (col) => col.notNull())
        .addColumn('gram', 'varchar(8)', (col) => col.notNull())
        .addColumn('username_key', 'varchar(128)', (col) => col.notNull())
        .addPrimaryKeyConstraint('username_grams_pk', ['user_id', 'gram'])
        .addForeignKeyConstraint('username_grams_user_fk', ['user_id'], 'users', ['id'])
        .modifyEnd(isMysql ? tableOptions : sql`without rowid`)
        .execute();

      for (let after = 0; ;) {
        const users: Array<{ id: number; username: string; username_key: string }> = await db
          .selectFrom('users')
          .select(['id', 'username', 'username_key'])
          .where('id', '>', after)
          .orderBy('id')
          .limit(BATCH)
          .execute();
        if (users.length === 0) break;
        after = Number(users[users.length - 1]?.id);
        const skeletons = users.map((user) => ({
          id: Number(user.id),
          username_key: user.username_key,
          username_skeleton: usernameSkeleton(user.username),
        }));
        // One statement per batch: `case id when ... then ... end`.
        await db
          .updateTable('users')
          .set((eb) => {
            const [first, ...rest] = skeletons;
            let choice = eb
              .case('id')
              .when(eb.val(first?.id))
              .then(eb.val(first?.username_skeleton));
            for (const user of rest) {
              choice = choice.when(eb.val(user.id)).then(eb.val(user.username_skeleton));
            }
            return { username_skeleton: choice.else(eb.ref('username_skeleton')).end() };
          })
          .where(
            'id',
            'in',
            skeletons.map((user) => user.id),
          )
          .execute();
        const grams = skeletons.flatMap((user) => usernameGramRows(user));
        for (let start = 0; start < grams.length; start += 500) {
          await db
            .insertInto('username_grams')
            .values(grams.slice(start, start + 500))
            .execute();
        }
      }

      // Look-alikes registered before this migration: the oldest keeps the skeleton.
      const shared: Array<{ username_skeleton: string; owner: number }> = await db
        .selectFrom('users')
        .select(['username_skeleton', (eb) => eb.fn.min('id').as('owner')])
        .groupBy('username_skeleton')
        .having((eb) => eb.fn.countAll(), '>', 1)
        .execute();
      for (const group of shared) {
        await db
          .updateTable('users')
          .set((eb) => ({ skeleton_tiebreak: eb.ref('id') }))
          .where('username_skeleton', '=', group.username_skeleton)
          .where('id', '!=', group.owner)
          .execute();
      }
      await db.schema
        .createIndex('users_username_skeleton_uq')
        .on('users')
        .columns(['username_skeleton', 'skeleton_tiebreak'])
        .unique()
        .execute();
      // Search: one gram's users in username order, so a page stops after `limit` rows.
      await db.schema
        .createIndex('username_grams_read_idx')
        .on('username_grams')
        .columns(['gram', 'username_key', 'user_id'])
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('username_grams').execute();
      await (
        isMysql
          ? sql`drop index users_username_skeleton_uq on users`
          : sql`drop index users_username_skeleton_uq`
      ).execute(db);
      await db.schema.alterTable('users').dropColumn('skeleton_tiebreak').execute();
      await db.schema.alterTable('users').dropColumn('username_skeleton').execute();
    },
  };
}
