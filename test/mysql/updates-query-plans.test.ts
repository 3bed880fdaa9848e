import { CompiledQuery, sql } from 'kysely';
import { getDb, type ExecutedQuery } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import { friendshipKey } from '../../lib/friends';
import { messageUpdates } from '../../lib/messages';
import {
  analyze,
  capturedQueries,
  explainQueries,
  planRowsFor,
  rowsRead,
  seedUsers,
  type PlanRow,
} from '../helpers/query-plans';

/**
 * GET /api/message/updates on a seeded MariaDB: the caller's messages are a small share of a
 * table mostly filled by other users. EXPLAIN (the optimizer's plan) and ANALYZE (the rows
 * it really read) of the exact SQL the function runs: each side reads its own index
 * (sender_id, id) or (receiver_id, id) as a range, in order, and stops after the page;
 * nothing scans or sorts messages.
 */
const OTHER_USERS = 200;
const OTHER_MESSAGES = 20_000;
const CALLER_PEERS = 4;
/** Per peer and direction. */
const CALLER_MESSAGES_PER_SIDE = 60;
const PAGE = 20;

let caller: number;
/** The caller's message ids, ascending. */
let callerIds: number[] = [];

async function seed(): Promise<void> {
  const db = await getDb();
  const now = toDbTimestamp();
  const others = await seedUsers('upd', OTHER_USERS);
  const mine = await seedUsers('updcaller', CALLER_PEERS + 1);
  caller = mine[0] ?? 0;
  const peers = mine.slice(1);

  const message = (sender: number, receiver: number, content: string) => ({
    sender_id: sender,
    receiver_id: receiver,
    ...friendshipKey(sender, receiver),
    content,
    message_type: 'text' as const,
    client_msg_id: null,
    is_read: 0,
    read_at: null,
    created_at: now,
  });
  // The caller's 480 messages spread evenly through 20,000 of other users', so every id
  // range holds a little of theirs and a lot of everyone else's.
  const callerRows = peers.flatMap((peer) =>
    Array.from({ length: CALLER_MESSAGES_PER_SIDE * 2 }, (_, index) =>
      index % 2 === 0
        ? message(caller, peer, `mine ${index}`)
        : message(peer, caller, `theirs ${index}`),
    ),
  );
  const every = Math.floor(OTHER_MESSAGES / callerRows.length);
  const rows = [];
  for (let index = 0; index < OTHER_MESSAGES; index += 1) {
    const sender = others[index % OTHER_USERS] ?? 0;
    const receiver = others[(index * 7 + 1) % OTHER_USERS] ?? 0;
    rows.push(message(sender, receiver === sender ? (others[0] ?? 0) : receiver, `other ${index}`));
    const own = index % every === 0 ? callerRows[index / every] : undefined;
    if (own) rows.push(own);
  }
  for (let start = 0; start < rows.length; start += 1000) {
    await db
      .insertInto('messages')
      .values(rows.slice(start, start + 1000))
      .execute();
  }
  // Read marks all through: every tenth message is as far as its reader has read.
  await db
    .insertInto('read_marks')
    .columns(['reader_id', 'sender_id', 'up_to_id', 'read_at'])
    .expression((eb) =>
      eb
        .selectFrom('messages')
        .select(['receiver_id', 'sender_id', 'id', 'created_at'])
        .where(sql<boolean>`id % 10 = 0`),
    )
    .execute();
  callerIds = (
    await db
      .selectFrom('messages')
      .select('id')
      .where((eb) => eb.or([eb('sender_id', '=', caller), eb('receiver_id', '=', caller)]))
      .orderBy('id')
      .execute()
  ).map((row) => row.id);
  await analyze();
}

beforeAll(seed, 60_000);

/** The SQL the function sent (SELECTs only), parameters bound. */
async function capture(action: () => Promise<unknown>): Promise<ExecutedQuery[]> {
  return (await capturedQueries(action)).filter((query) => /^select/i.test(query.sql));
}

interface AnalyzedRow extends PlanRow {
  r_rows: number | string | null;
}

/** MariaDB's ANALYZE: runs the statement and reports, per table, the rows really read. */
async function analyzeStatement(query: ExecutedQuery): Promise<AnalyzedRow[]> {
  const db = await getDb();
  const result = await db.executeQuery<AnalyzedRow>(
    CompiledQuery.raw(`ANALYZE ${query.sql}`, [...query.parameters]),
  );
  return result.rows;
}

const cases = [
  { name: 'from the start', afterId: () => 0 },
  { name: 'from the middle', afterId: () => callerIds[Math.floor(callerIds.length / 2)] ?? 0 },
  { name: 'near the end', afterId: () => callerIds[callerIds.length - 5] ?? 0 },
];

it('seeds the caller as a small share of the table', () => {
  expect(callerIds).toHaveLength(CALLER_PEERS * CALLER_MESSAGES_PER_SIDE * 2);
  expect(callerIds.length / (OTHER_MESSAGES + callerIds.length)).toBeLessThan(0.05);
});

it.each(cases)(
  'the updates page is one statement, its read state one more ($name)',
  async ({ afterId }) => {
    const queries = await capture(() => messageUpdates(caller, afterId(), PAGE));
    expect(queries).toHaveLength(2);
    expect(queries[1]?.sql).toContain('`read_marks`');
    // The page is right, so the plan below is the plan of a working query.
    const page = await messageUpdates(caller, afterId(), PAGE);
    const expected = callerIds.filter((id) => id > afterId());
    expect(page.messages.map((message) => message.id)).toEqual(expected.slice(0, PAGE));
    expect(page.has_more).toBe(expected.length > PAGE);
  },
);

it.each(cases)(
  'each side reads its own index as a range, no scan or sort of messages ($name)',
  async ({ afterId }) => {
    const explained = await explainQueries(() => messageUpdates(caller, afterId(), PAGE));
    expect(explained).toHaveLength(2);
    const sides = planRowsFor(explained, 'side');
    expect(sides).toHaveLength(2);
    expect(sides.map((row) => row.key).sort()).toEqual([
      'messages_receiver_idx',
      'messages_sender_idx',
    ]);
    for (const row of sides) {
      expect(row.type).toBe('range');
      // Read in index order: the LIMIT stops the read, no sort of the caller's rows.
      expect(row.Extra ?? '').not.toContain('filesort');
      // The optimizer's estimate is at most the caller's own rows of that side, never the
      // table's (the caller sends or receives half of their messages).
      expect(Number(row.rows)).toBeLessThanOrEqual(callerIds.length);
    }
    // The page's read state: one range of the read marks' primary key per reader and sender
    // in the page (the caller's four peers, both ways), never a scan.
    const marks = planRowsFor(explained, 'read_marks');
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.length).toBeLessThanOrEqual(CALLER_PEERS * 2);
    for (const row of marks) expect(row).toMatchObject({ key: 'PRIMARY', type: 'range' });
    // Nothing in the plan reads a whole table.
    const plan = explained.flatMap((entry) => entry.plan);
    for (const row of plan) {
      if (row.table === 'side') continue;
      // The derived tables and the union's result hold at most a page and one more per side.
      expect(row.type).not.toBe('index');
      if (row.type === 'ALL') expect(Number(row.rows ?? 0)).toBeLessThanOrEqual(2 * (PAGE + 1));
    }
  },
);

it.each(cases)(
  'rows read are bounded by the page, not by anyone’s history ($name)',
  async ({ afterId }) => {
    const [query] = await capture(() => messageUpdates(caller, afterId(), PAGE));
    if (!query) throw new Error('no query captured');
    const analyzed = await analyzeStatement(query);
    const sides = analyzed.filter((row) => row.table === 'side');
    expect(sides).toHaveLength(2);
    for (const row of sides) {
      expect(row.type).toBe('range');
      // Each side stops after page + 1 rows (the one that tells whether more remain).
      expect(Number(row.r_rows)).toBeLessThanOrEqual(PAGE + 1);
    }
    // It did read the page (so the bound above is not an empty run's).
    const expected = callerIds.filter((id) => id > afterId()).length;
    const sideRows = sides.reduce((sum, row) => sum + Number(row.r_rows), 0);
    expect(sideRows).toBeGreaterThanOrEqual(Math.min(PAGE, expected));
    const total = analyzed.reduce((sum, row) => sum + Number(row.r_rows ?? 0), 0);
    // Both sides, the two derived tables and the union: a few pages' worth in all.
    expect(total).toBeLessThanOrEqual(6 * (PAGE + 1));
    // The session's Handler_read_* counters agree: index entries, rows and the small temporary
    // tables of the two sides and the union (about 7 pages' worth) — fewer than the caller's
    // own messages, and nowhere near the table's 20,000.
    const read = await rowsRead(query);
    expect(read).toBeLessThanOrEqual(10 * (PAGE + 1));
    expect(read).toBeLessThan(callerIds.length);

    // The page's read state reads a few marks per reader and sender, not all of theirs.
    const [, marksQuery] = await capture(() => messageUpdates(caller, afterId(), PAGE));
    if (!marksQuery) throw new Error('no read-state query captured');
    const marks = (await analyzeStatement(marksQuery)).filter((row) => row.table === 'read_marks');
    const marksRead = marks.reduce((sum, row) => sum + Number(row.r_rows ?? 0), 0);
    expect(marksRead).toBeLessThanOrEqual(PAGE + 2 * marks.length);
  },
);
