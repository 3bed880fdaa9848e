import type { Kysely } from 'kysely';
import { columnTypes } from './column-types';
import type { MigrationContext } from './index';

/**
 * Read state as a watermark. mark_read no longer updates every message it reads: it adds
 * one `read_marks` row, "the reader has read the sender's messages up to this id, at this
 * time". A message is read when its own row says so (read before this migration: those
 * rows keep their `is_read` and `read_at`, so existing read state carries over unchanged)
 * or when a mark of its reader and sender reaches its id; its `read_at` is then that of the
 * first such mark: a range of the primary key (reader, sender, up_to_id) per page read.
 */
export function readWatermarkSchema(context: MigrationContext) {
  const { id: idType, timestamp, tableOptions } = columnTypes(context);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the current schema type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('read_marks')
        .addColumn('reader_id', idType, (col) => col.notNull())
        .addColumn('sender_id', idType, (col) => col.notNull())
        .addColumn('up_to_id', idType, (col) => col.notNull())
        .addColumn('read_at', timestamp, (col) => col.notNull())
        .addPrimaryKeyConstraint('read_marks_pk', ['reader_id', 'sender_id', 'up_to_id'])
        .addForeignKeyConstraint('read_marks_reader_fk', ['reader_id'], 'users', ['id'])
        .addForeignKeyConstraint('read_marks_sender_fk', ['sender_id'], 'users', ['id'])
        .modifyEnd(tableOptions)
        .execute();
      await db.schema
        .createIndex('read_marks_sender_idx')
        .on('read_marks')
        .column('sender_id')
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('read_marks').execute();
    },
  };
}
