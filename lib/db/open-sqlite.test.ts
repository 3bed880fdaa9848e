import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from './connection';
import { loadSqliteDriver } from './sqlite-driver';

const directory = mkdtempSync(join(tmpdir(), 'open-sqlite-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('opens a new file in WAL mode while another connection is still creating it', async () => {
  const path = join(directory, 'new.sqlite');
  const SQLite = await loadSqliteDriver();
  // Another process's first write: the file exists, not yet in WAL mode, and is locked.
  const creator = new SQLite(path);
  creator.exec('begin immediate; create table created_first (id integer)');
  const opening = openSqlite(path);
  await new Promise((resolve) => setTimeout(resolve, 100));
  creator.exec('commit');
  creator.close();

  const database = await opening;
  try {
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(database.prepare('select count(*) as n from created_first').get()).toEqual({ n: 0 });
  } finally {
    database.close();
  }
});
