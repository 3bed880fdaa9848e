import { closeDb, getDb, observeQueries, type ExecutedQuery } from '../../lib/db/connection';

/**
 * A burst of parallel requests starts many containers at once, each opening the database.
 * With the schema up to date, opening it must cost one read of the migration table: no
 * schema introspection (information_schema on MySQL, sqlite_master on SQLite) and no wait
 * on the migration lock, which once queued thirty cold sends past the function timeout.
 */
it('opens an up-to-date database with one query, no introspection and no lock', async () => {
  await getDb(); // migrates the fresh test database
  await closeDb();

  const queries: ExecutedQuery[] = [];
  const stop = observeQueries((query) => queries.push(query));
  try {
    await getDb();
  } finally {
    stop();
  }
  const texts = queries.map((query) => query.sql);
  expect(texts.filter((text) => /information_schema|sqlite_master|get_lock/i.test(text))).toEqual(
    [],
  );
  expect(texts).toHaveLength(1);
});
