import type { Kysely } from 'kysely';
import { getConfig } from './config';
import { getDb } from './db/connection';
import type { Database } from './db/schema';
import { toDbTimestamp } from './db/time';
import { inTransaction } from './db/transaction';
import { CONNECTION_LIFETIME_MS } from './realtime/connections';

/** Rows removed by one run, by kind. */
export interface HousekeepingReport {
  connections: number;
  rateLimitWindows: number;
  refreshTokens: number;
  sessions: number;
}

export interface HousekeepingOptions {
  now?: Date;
  /** Rows per statement. */
  batchSize?: number;
  /** Batches per kind and run: the rest waits for the next run. */
  maxBatches?: number;
}

/**
 * Removes rows nothing needs any more, in bounded batches, each one indexed range read and
 * one delete that repeats the read's condition, so two runs at once only share the work:
 * - connections older than API Gateway's two-hour limit (they ended without $disconnect);
 * - rate-limit windows that have ended;
 * - refresh tokens past expiry by more than an access token's lifetime (nothing they
 *   could prove still works), and with them the logins left without any;
 * - spent refresh tokens once past the reuse grace window (REFRESH_REUSE_GRACE_SECONDS):
 *   no retry can use them any more, and the token each was exchanged for still names it
 *   (parent_hash), so a replay is still caught;
 * - revoked logins, as long ago as that, and their refresh tokens.
 * A login that still has a stored connection is left for a later run.
 */
export async function runHousekeeping(
  options: HousekeepingOptions = {},
): Promise<HousekeepingReport> {
  const { now = new Date(), batchSize = 500, maxBatches = 20 } = options;
  const db = await getDb();
  const stale = (ms: number) => toDbTimestamp(new Date(now.getTime() - ms));
  const connectionCutoff = stale(CONNECTION_LIFETIME_MS);
  const loginCutoff = stale(getConfig().accessTokenTtlSeconds * 1000);
  const spentCutoff = stale(getConfig().refreshReuseGraceSeconds * 1000);
  const batches = async (batch: () => Promise<{ seen: number; removed: number }>) => {
    let removed = 0;
    for (let round = 0; round < maxBatches; round += 1) {
      const result = await batch();
      removed += result.removed;
      if (result.seen < batchSize) break;
    }
    return removed;
  };
  /** Batches of rows found by key (oldest first), then deleted by key and the same condition. */
  const sweep = (
    find: () => Promise<string[]>,
    remove: (keys: string[]) => Promise<{ numDeletedRows: bigint }>,
  ) =>
    batches(async () => {
      const keys = await find();
      if (keys.length === 0) return { seen: 0, removed: 0 };
      return { seen: keys.length, removed: Number((await remove(keys)).numDeletedRows) };
    });

  const connections = await sweep(
    async () =>
      (
        await db
          .selectFrom('connections')
          .select('connection_id')
          .where('connected_at', '<', connectionCutoff)
          .orderBy('connected_at')
          .limit(batchSize)
          .execute()
      ).map((row) => row.connection_id),
    (ids) =>
      db
        .deleteFrom('connections')
        .where('connection_id', 'in', ids)
        .where('connected_at', '<', connectionCutoff)
        .executeTakeFirst(),
  );

  const nowText = toDbTimestamp(now);
  const rateLimitWindows = await sweep(
    async () =>
      (
        await db
          .selectFrom('rate_limit_counters')
          .select('bucket')
          .where('expires_at', '<', nowText)
          .orderBy('expires_at')
          .limit(batchSize)
          .execute()
      ).map((row) => row.bucket),
    (buckets) =>
      db
        .deleteFrom('rate_limit_counters')
        .where('bucket', 'in', buckets)
        .where('expires_at', '<', nowText)
        .executeTakeFirst(),
  );

  // Spent refresh tokens past the grace window, by used_at. Their logins keep the token
  // each was exchanged for, so no login is left without one here.
  const spentRefreshTokens = await sweep(
    async () =>
      (
        await db
          .selectFrom('refresh_tokens')
          .select('token_hash')
          .where('used_at', '<', spentCutoff)
          .orderBy('used_at')
          .limit(batchSize)
          .execute()
      ).map((row) => row.token_hash),
    (hashes) =>
      db
        .deleteFrom('refresh_tokens')
        .where('token_hash', 'in', hashes)
        .where('used_at', '<', spentCutoff)
        .executeTakeFirst(),
  );

  const report = { connections, rateLimitWindows, refreshTokens: spentRefreshTokens, sessions: 0 };

  // Expired refresh tokens, by expiry; then those logins, if that left them without any.
  await batches(async () => {
    const rows = await db
      .selectFrom('refresh_tokens')
      .select('session_id')
      .where('expires_at', '<', loginCutoff)
      .orderBy('expires_at')
      .limit(batchSize)
      .execute();
    const sessionIds = [...new Set(rows.map((row) => row.session_id))];
    if (sessionIds.length === 0) return { seen: 0, removed: 0 };
    const removed = await inTransaction(db, async (trx) => {
      const tokens = await trx
        .deleteFrom('refresh_tokens')
        .where('session_id', 'in', sessionIds)
        .where('expires_at', '<', loginCutoff)
        .executeTakeFirst();
      const sessions = await deleteEndedSessions(trx, sessionIds);
      // A login kept only by a stored connection now has no refresh token, so this pass
      // will never see it again: mark it ended, and the revoked-login pass below removes
      // it once its connections are gone.
      await trx
        .updateTable('sessions')
        .set({ revoked_at: nowText })
        .where('id', 'in', sessionIds)
        .where('revoked_at', 'is', null)
        .where(({ not, exists, selectFrom, ref }) =>
          not(
            exists(
              selectFrom('refresh_tokens')
                .select('session_id')
                .where('refresh_tokens.session_id', '=', ref('sessions.id')),
            ),
          ),
        )
        .execute();
      return { tokens: Number(tokens.numDeletedRows), sessions };
    });
    report.refreshTokens += removed.tokens;
    report.sessions += removed.sessions;
    return { seen: rows.length, removed: removed.tokens };
  });

  // Revoked logins without a stored connection, and what is left of their refresh tokens.
  await batches(async () => {
    const sessionIds = (
      await db
        .selectFrom('sessions as s')
        .select('s.id')
        .where('s.revoked_at', '<', loginCutoff)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('connections as c')
                .select('c.session_id')
                .whereRef('c.session_id', '=', 's.id'),
            ),
          ),
        )
        .orderBy('s.revoked_at')
        .limit(batchSize)
        .execute()
    ).map((row) => row.id);
    if (sessionIds.length === 0) return { seen: 0, removed: 0 };
    const removed = await inTransaction(db, async (trx) => {
      const tokens = await trx
        .deleteFrom('refresh_tokens')
        .where('session_id', 'in', sessionIds)
        .executeTakeFirst();
      return {
        tokens: Number(tokens.numDeletedRows),
        sessions: await deleteEndedSessions(trx, sessionIds),
      };
    });
    report.refreshTokens += removed.tokens;
    report.sessions += removed.sessions;
    return { seen: sessionIds.length, removed: removed.sessions };
  });

  return report;
}

/** Deletes those of `sessionIds` left with no refresh token and no stored connection. */
async function deleteEndedSessions(trx: Kysely<Database>, sessionIds: number[]): Promise<number> {
  const result = await trx
    .deleteFrom('sessions')
    .where('id', 'in', sessionIds)
    .where(({ not, exists, selectFrom, ref }) =>
      not(
        exists(
          selectFrom('refresh_tokens')
            .select('session_id')
            .where('refresh_tokens.session_id', '=', ref('sessions.id')),
        ),
      ),
    )
    .where(({ not, exists, selectFrom, ref }) =>
      not(
        exists(
          selectFrom('connections')
            .select('session_id')
            .where('connections.session_id', '=', ref('sessions.id')),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
