import { sql, type Kysely } from 'kysely';
import { getDb } from '../db/connection';
import { isMysql } from '../db/dialect';
import type { ConnectionRow, Database } from '../db/schema';
import { toDbTimestamp, toIsoTimestamp } from '../db/time';
import { inTransaction } from '../db/transaction';
import { AppError } from '../errors';
import { errorForLog, logger } from '../logger';
import { isLiveSession } from '../auth/liveness';
import type { Caller } from '../users';
import { callWithinDeadline, connectionGateway } from './gateway';

/** The contract's cap: an 11th connection of one user closes the oldest. */
export const MAX_CONNECTIONS_PER_USER = 10;

/** API Gateway ends every WebSocket connection after two hours. */
export const CONNECTION_LIFETIME_MS = 2 * 60 * 60 * 1000;

/**
 * $connect stores a connection before the gateway has opened it, and a push in between is
 * answered "gone": a row this young is kept (its $disconnect or housekeeping removes it if it
 * really is gone). Longer than any $connect can take (the function's timeout).
 */
export const CONNECT_GRACE_MS = 30_000;

export interface NewConnection {
  connectionId: string;
  caller: Caller;
  language: string;
}

/**
 * Records a connection opened with `caller`'s access token ($connect). Under a lock on the
 * user (so concurrent connects count exactly) and a shared lock on the login (so a logout
 * either comes first and refuses this connect, or waits and then sees this row to close),
 * it checks the login is still alive, stores the row, and drops the user's oldest rows
 * beyond the cap; those connections are closed once the transaction has committed.
 */
export async function openConnection({
  connectionId,
  caller,
  language,
}: NewConnection): Promise<void> {
  const db = await getDb();
  const evicted = await inTransaction(db, async (trx) => {
    const mysql = isMysql(trx);
    const user = await trx
      .selectFrom('users')
      .select('token_version')
      .where('id', '=', caller.user.id)
      .$if(mysql, (query) => query.forUpdate())
      .executeTakeFirst();
    const session = await trx
      .selectFrom('sessions')
      .select(['revoked_at', 'token_version'])
      .where('id', '=', caller.sessionId)
      .$if(mysql, (query) => query.modifyEnd(sql`lock in share mode`))
      .executeTakeFirst();
    if (!user || !session || !isLiveSession(session, user.token_version)) {
      throw new AppError('UNAUTHORIZED');
    }
    // The user's rows, newest first (one read, at most the cap): what the new row must
    // follow, and what falls beyond the cap once it is in.
    const existing = await trx
      .selectFrom('connections')
      .select(['connection_id', 'connected_at'])
      .where('user_id', '=', caller.user.id)
      .orderBy('connected_at', 'desc')
      .orderBy('connection_id', 'desc')
      .execute();
    // The cap closes the oldest by connected_at: two connects within one millisecond must
    // not tie (the tie-break would be the random connection id), so each row is stamped
    // after the user's newest one. The lock on the user makes this exact.
    const newest = existing[0]?.connected_at;
    const now = Date.now();
    const after = newest ? Date.parse(toIsoTimestamp(newest)) + 1 : now;
    await trx
      .insertInto('connections')
      .values({
        connection_id: connectionId,
        user_id: caller.user.id,
        session_id: caller.sessionId,
        language,
        connected_at: toDbTimestamp(new Date(Math.max(now, after))),
      })
      .execute();
    const ids = existing.slice(MAX_CONNECTIONS_PER_USER - 1).map((row) => row.connection_id);
    if (ids.length > 0) await deleteRows(trx, ids);
    return ids;
  });
  await closeConnections(evicted, { rowsDeleted: true });
}

/** The stored connection, if it is still known (it may have been evicted or revoked). */
export async function findConnection(connectionId: string): Promise<ConnectionRow | undefined> {
  const db = await getDb();
  return db
    .selectFrom('connections')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
}

/** $disconnect: the connection ended; forget it. */
export async function forgetConnection(connectionId: string): Promise<void> {
  await deleteRows(await getDb(), [connectionId]);
}

/** The open connections of `userIds`, as `user id -> connection ids`. */
export async function connectionsOfUsers(
  userIds: readonly number[],
): Promise<Map<number, string[]>> {
  const byUser = new Map<number, string[]>();
  if (userIds.length === 0) return byUser;
  const db = await getDb();
  const rows = await db
    .selectFrom('connections')
    .select(['user_id', 'connection_id'])
    .where('user_id', 'in', userIds)
    .execute();
  for (const row of rows) {
    const ids = byUser.get(row.user_id) ?? [];
    ids.push(row.connection_id);
    byUser.set(row.user_id, ids);
  }
  return byUser;
}

/**
 * Closes every connection of `userId` whose login has been revoked (logout, a password
 * change, a reused refresh token): one rule, whichever of them revoked it. Call it after
 * the revoking transaction has committed.
 */
export async function closeRevokedConnections(userId: number): Promise<void> {
  const db = await getDb();
  const rows = await db
    .selectFrom('connections as c')
    .innerJoin('sessions as s', 's.id', 'c.session_id')
    .select('c.connection_id')
    .where('c.user_id', '=', userId)
    .where('s.revoked_at', 'is not', null)
    .execute();
  await closeConnections(rows.map((row) => row.connection_id));
}

/**
 * Forgets connections and asks the gateway to close them, in parallel and within the push
 * deadline. Best effort: a failure is logged, never thrown (the caller's work is done).
 */
export async function closeConnections(
  connectionIds: readonly string[],
  options: { rowsDeleted?: boolean } = {},
): Promise<void> {
  if (connectionIds.length === 0) return;
  try {
    if (!options.rowsDeleted) await deleteRows(await getDb(), connectionIds);
    const gateway = connectionGateway();
    if (!gateway) return;
    await callWithinDeadline(
      gateway,
      'could not close connections',
      connectionIds.map((id) => (signal: AbortSignal) => gateway.close(id, signal)),
    );
  } catch (error) {
    logger.warn('could not close connections', { error: errorForLog(error) });
  }
}

/**
 * Forgets connections the gateway reported gone, except those still young enough to be in
 * their $connect (CONNECT_GRACE_MS).
 */
export async function forgetGoneConnections(connectionIds: readonly string[]): Promise<void> {
  if (connectionIds.length === 0) return;
  const db = await getDb();
  await db
    .deleteFrom('connections')
    .where('connection_id', 'in', connectionIds)
    .where('connected_at', '<', toDbTimestamp(new Date(Date.now() - CONNECT_GRACE_MS)))
    .execute();
}

/** Deletes connection rows by id. */
export async function deleteRows(db: Kysely<Database>, connectionIds: readonly string[]) {
  if (connectionIds.length === 0) return;
  await db.deleteFrom('connections').where('connection_id', 'in', connectionIds).execute();
}
