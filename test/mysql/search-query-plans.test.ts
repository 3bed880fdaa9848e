import { getDb } from '../../lib/db/connection';
import { searchUsers } from '../../lib/user-search';
import { usernameGramRows, usernameKey, usernameSkeleton } from '../../lib/usernames';
import {
  analyze,
  capturedQueries,
  explainQueries,
  planRowsFor,
  rowsRead,
  seedUsers,
} from '../helpers/query-plans';

/**
 * Username search reads one gram's users in username order and stops at the page: on a
 * seeded MySQL database, each query uses the gram index without sorting, and the rows it
 * reads stay bounded by the page, not by how many users share the keyword.
 */
let ids: number[];
const prefix = 'zeta';

beforeAll(async () => {
  ids = await seedUsers(prefix, 1500);
  const db = await getDb();
  const rows = ids.flatMap((id, index) =>
    usernameGramRows({
      id,
      username_key: usernameKey(`${prefix}${index}`),
      username_skeleton: usernameSkeleton(`${prefix}${index}`),
    }),
  );
  for (let start = 0; start < rows.length; start += 2000) {
    await db
      .insertInto('username_grams')
      .values(rows.slice(start, start + 2000))
      .execute();
  }
  await analyze();
});

it('reads each group through username_grams_read_idx, in index order', async () => {
  const caller = ids[0] ?? 0;
  const explained = await explainQueries(() => searchUsers(caller, 'eta', 20));
  const reads = planRowsFor(explained, 'g');
  expect(reads.length).toBeGreaterThan(0);
  for (const row of reads) {
    expect(row.key).toBe('username_grams_read_idx');
    expect(row.Extra ?? '').not.toMatch(/filesort|temporary/i);
  }
  // No table is scanned (the capped gram counts are tiny derived tables, read whole).
  for (const row of explained.flatMap((entry) => entry.plan)) {
    if (row.table?.startsWith('<derived')) continue;
    expect(row.type).not.toBe('ALL');
  }
});

it.each([
  ['a one-character keyword', 'z'],
  ['a common two-character keyword', 'ze'],
  ['a common keyword found inside names', 'eta1'],
])('reads a bounded number of rows for %s', async (_, keyword) => {
  const caller = ids[0] ?? 0;
  const queries = await capturedQueries(() => searchUsers(caller, keyword, 20));
  let counting = 0;
  let reading = 0;
  for (const query of queries) {
    if (!query.sql.startsWith('select')) continue;
    const read = await rowsRead(query);
    if (query.sql.includes('`capped`')) counting += read;
    else reading += read;
  }
  // 1,500 users share these grams. Counting stops at 200 per gram (each row read twice:
  // index, then the derived table); the groups read about the page, a probe per other gram.
  expect(counting).toBeLessThanOrEqual(4 * 2 * 200 + 10);
  expect(reading).toBeLessThan(200);
});
