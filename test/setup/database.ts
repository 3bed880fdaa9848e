import { rmSync } from 'node:fs';
import { closeDb } from '../../lib/db/connection';
import { createDatabase, dropDatabase } from '../helpers/mysql-admin';

/** Each test file gets its own empty database, removed afterwards. */
const databaseName = process.env.DB_NAME ?? '';
const isMysql = process.env.DB_TYPE === 'mysql';

beforeAll(async () => {
  if (isMysql) await createDatabase(databaseName);
});

afterAll(async () => {
  await closeDb();
  if (isMysql) await dropDatabase(databaseName);
  else {
    const path = process.env.SQLITE_PATH ?? '';
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  }
});
