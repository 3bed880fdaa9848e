import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { getDb } from '../../lib/db/connection';
import { allMigrations } from '../../lib/db/migrations';
import { lambdaContext } from '../helpers/invoke';
import { loadContainer } from '../helpers/isolated';
import { createDatabase, dropDatabase } from '../helpers/mysql-admin';

/**
 * Deployed functions never migrate on their own: migrations run once per deploy, by the
 * `migrate` function or `npm run migrate`. Two runs at once (a retried pipeline step, two
 * deploys) are safe: one applies, the other waits for its lock and finds nothing to do.
 */
const projectRoot = join(__dirname, '../..');
const isMysql = process.env.DB_TYPE === 'mysql';
const scratch = `${process.env.DB_NAME ?? 'chat_test'}_twice`;
const scratchPath = `${process.env.SQLITE_PATH ?? ''}.twice`;
const names = Object.keys(allMigrations({ dialect: isMysql ? 'mysql' : 'sqlite' }));

jest.setTimeout(120_000);

afterAll(async () => {
  if (isMysql) await dropDatabase(scratch);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${scratchPath}${suffix}`, { force: true });
});

/** `npm run migrate` (tsx scripts/migrate.ts) against the scratch database. */
async function npmRunMigrate(): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), 'scripts/migrate.ts'],
    {
      cwd: projectRoot,
      env: { ...process.env, DB_NAME: scratch, SQLITE_PATH: scratchPath, NODE_ENV: 'production' },
    },
  );
  return stdout;
}

it('applies every migration exactly once when two runs start at once', async () => {
  if (isMysql) await createDatabase(scratch);
  const outputs = await Promise.all([npmRunMigrate(), npmRunMigrate()]);
  const applied = outputs.flatMap((output) =>
    names.filter((name) => new RegExp(`\\b${name}\\b`).test(output)),
  );
  expect(applied.sort()).toEqual([...names].sort());
  expect(outputs.filter((output) => /is up to date/.test(output))).toHaveLength(1);
});

it('the migrate function applies pending migrations, then has nothing to do', async () => {
  // The test's own database, not migrated by anyone yet, and a container that (as deployed
  // ones) does not migrate on its own.
  const container = loadContainer(
    { DB_AUTO_MIGRATE: 'false' },
    { migrate: '../../functions/system/migrate' },
  );
  const migrate = container.handlers.migrate as unknown as (
    event: unknown,
    context: unknown,
  ) => Promise<unknown>;
  try {
    expect(await migrate({}, lambdaContext())).toEqual({ applied: names });
    expect(await migrate({}, lambdaContext())).toEqual({ applied: [] });
  } finally {
    await container.close();
  }
  const db = await getDb();
  const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  expect(rows.rows.map((row) => row.name).sort()).toEqual([...names].sort());
});
