import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type RowDataPacket } from 'mysql2/promise';
import { createPool as createCallbackPool } from 'mysql2';
import { migrateToLatest } from '../../lib/db/migrate';
import { adminConnection, createDatabase, dropDatabase } from '../helpers/mysql-admin';

/**
 * schema.sql must describe exactly what the migrations build: same tables, columns,
 * indexes and constraints, read back from information_schema.
 */
const suffix = `${process.pid}_${Date.now()}`;
const fromMigrations = `chat_parity_migrations_${suffix}`;
const fromSchemaSql = `chat_parity_sql_${suffix}`;

async function snapshot(database: string): Promise<Record<string, RowDataPacket[]>> {
  const connection = await adminConnection();
  const queries: Record<string, string> = {
    tables: `SELECT table_name, engine, table_collation FROM information_schema.tables
             WHERE table_schema = ? AND table_name NOT LIKE 'kysely\\_%' ORDER BY table_name`,
    columns: `SELECT table_name, column_name, ordinal_position, column_type, is_nullable,
                     column_default, extra, character_set_name, collation_name
              FROM information_schema.columns
              WHERE table_schema = ? AND table_name NOT LIKE 'kysely\\_%'
              ORDER BY table_name, ordinal_position`,
    indexes: `SELECT table_name, index_name, seq_in_index, column_name, non_unique
              FROM information_schema.statistics
              WHERE table_schema = ? AND table_name NOT LIKE 'kysely\\_%'
              ORDER BY table_name, index_name, seq_in_index`,
    constraints: `SELECT table_name, constraint_name, constraint_type
                  FROM information_schema.table_constraints
                  WHERE table_schema = ? AND table_name NOT LIKE 'kysely\\_%'
                  ORDER BY table_name, constraint_name`,
    foreignKeys: `SELECT table_name, constraint_name, column_name, referenced_table_name,
                         referenced_column_name
                  FROM information_schema.key_column_usage
                  WHERE table_schema = ? AND referenced_table_name IS NOT NULL
                  ORDER BY table_name, constraint_name, ordinal_position`,
    checks: `SELECT constraint_name, check_clause FROM information_schema.check_constraints
             WHERE constraint_schema = ? ORDER BY constraint_name`,
  };
  try {
    const result: Record<string, RowDataPacket[]> = {};
    for (const [name, query] of Object.entries(queries)) {
      const [rows] = await connection.query<RowDataPacket[]>(query, [database]);
      // information_schema column-name case differs between MySQL and MariaDB.
      result[name] = rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([key, value]) => [key.toLowerCase(), value])),
      ) as RowDataPacket[];
    }
    return result;
  } finally {
    await connection.end();
  }
}

beforeAll(async () => {
  await createDatabase(fromMigrations);
  await createDatabase(fromSchemaSql);
});

afterAll(async () => {
  await dropDatabase(fromMigrations);
  await dropDatabase(fromSchemaSql);
});

it('schema.sql and the migrations build the same MySQL schema', async () => {
  const db = new Kysely({
    dialect: new MysqlDialect({
      pool: createCallbackPool({
        host: process.env.DB_HOST,
        port: Number(process.env.DB_PORT ?? 3306),
        user: process.env.DB_USER,
        password: process.env.DB_PASSWORD ?? '',
        database: fromMigrations,
        charset: 'UTF8MB4_BIN',
      }),
    }),
  });
  try {
    await migrateToLatest(db, 'mysql');
  } finally {
    await db.destroy();
  }

  const pool = createPool({
    host: process.env.DB_HOST,
    port: Number(process.env.DB_PORT ?? 3306),
    user: process.env.DB_USER,
    password: process.env.DB_PASSWORD ?? '',
    database: fromSchemaSql,
    multipleStatements: true,
  });
  try {
    await pool.query(readFileSync(join(__dirname, '../../schema.sql'), 'utf8'));
  } finally {
    await pool.end();
  }

  const migrated = await snapshot(fromMigrations);
  const declared = await snapshot(fromSchemaSql);
  expect(migrated.tables?.map((row) => row.table_name)).toEqual([
    'blocks',
    'connections',
    'conversations',
    'friendships',
    'friend_entries',
    'messages',
    'rate_limit_counters',
    'read_marks',
    'refresh_tokens',
    'sessions',
    'unread_totals',
    'username_grams',
    'users',
  ]);
  expect(migrated.indexes?.length).toBeGreaterThan(10);
  expect(declared).toEqual(migrated);
  // Two databases built from scratch: seconds on a busy machine.
}, 30_000);
