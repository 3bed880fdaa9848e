import { createConnection } from 'mysql2/promise';

/** A connection without a default database, for creating and dropping test databases. */
export function adminConnection() {
  return createConnection({
    host: process.env.DB_HOST ?? '127.0.0.1',
    port: Number(process.env.DB_PORT ?? 3306),
    user: process.env.DB_USER ?? 'root',
    password: process.env.DB_PASSWORD ?? '',
    charset: 'UTF8MB4_BIN',
  });
}

export async function createDatabase(name: string): Promise<void> {
  const connection = await adminConnection();
  try {
    await connection.query(
      `CREATE DATABASE ${connection.escapeId(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await connection.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  const connection = await adminConnection();
  try {
    await connection.query(`DROP DATABASE IF EXISTS ${connection.escapeId(name)}`);
  } finally {
    await connection.end();
  }
}
