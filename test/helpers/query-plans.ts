import { CompiledQuery } from 'kysely';
import { getDb, observeQueries, type ExecutedQuery } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import { usernameSkeleton } from '../../lib/usernames';

/** One row of MySQL's EXPLAIN. */
export interface PlanRow {
  table: string | null;
  type: string | null;
  key: string | null;
  rows: number | string | null;
  Extra: string | null;
}

export interface ExplainedQuery {
  sql: string;
  plan: PlanRow[];
}

/** Inserts `count` users straight into the table (no bcrypt); returns their ids in order. */
export async function seedUsers(prefix: string, count: number): Promise<number[]> {
  const db = await getDb();
  const now = toDbTimestamp();
  await db
    .insertInto('users')
    .values(
      Array.from({ length: count }, (_, index) => ({
        username: `${prefix}${index}`,
        username_key: `${prefix}${index}`,
        username_skeleton: usernameSkeleton(`${prefix}${index}`),
        email: `${prefix}${index}@example.com`,
        password_hash: 'not-a-real-hash',
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('username_key', 'like', `${prefix}%`)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Refreshes the optimizer's statistics after seeding. */
export async function analyze(): Promise<void> {
  const db = await getDb();
  await db.executeQuery(
    CompiledQuery.raw(
      'ANALYZE TABLE users, friendships, messages, conversations, unread_totals, read_marks',
    ),
  );
}

/** Runs `action`, then EXPLAINs every SELECT, UPDATE and DELETE it sent, parameters bound. */
export async function explainQueries(action: () => Promise<unknown>): Promise<ExplainedQuery[]> {
  const queries: ExecutedQuery[] = [];
  const stop = observeQueries((query) => queries.push(query));
  try {
    await action();
  } finally {
    stop();
  }
  const db = await getDb();
  const explained: ExplainedQuery[] = [];
  for (const query of queries) {
    if (!/^(select|update|delete)/i.test(query.sql)) continue;
    const result = await db.executeQuery<PlanRow>(
      CompiledQuery.raw(`EXPLAIN ${query.sql}`, [...query.parameters]),
    );
    explained.push({ sql: query.sql, plan: result.rows });
  }
  return explained;
}

/**
 * How many index and table rows MySQL read to run one statement (the sum of the session's
 * Handler_read_* counters): the real cost, where EXPLAIN's `rows` is only an estimate that
 * ignores LIMIT.
 */
export async function rowsRead(query: {
  sql: string;
  parameters: readonly unknown[];
}): Promise<number> {
  const db = await getDb();
  return db.connection().execute(async (connection) => {
    await connection.executeQuery(CompiledQuery.raw('FLUSH STATUS'));
    await connection.executeQuery(CompiledQuery.raw(query.sql, [...query.parameters]));
    const counters = await connection.executeQuery<{ Variable_name: string; Value: string }>(
      CompiledQuery.raw("SHOW SESSION STATUS LIKE 'Handler_read%'"),
    );
    return counters.rows.reduce((sum, row) => sum + Number(row.Value), 0);
  });
}

/** The SQL `action` sent, in order, with its parameters. */
export async function capturedQueries(action: () => Promise<unknown>): Promise<ExecutedQuery[]> {
  const queries: ExecutedQuery[] = [];
  const stop = observeQueries((query) => queries.push(query));
  try {
    await action();
  } finally {
    stop();
  }
  return queries;
}

/** The plan rows that read `table` (by name or alias), across all explained queries. */
export function planRowsFor(explained: ExplainedQuery[], table: string): PlanRow[] {
  return explained.flatMap((entry) => entry.plan).filter((row) => row.table === table);
}
