import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { derivedKey } from './auth/tokens';
import { now } from './clock';
import { getConfig, type Config, type RateLimit } from './config';
import { getDb } from './db/connection';
import { isMysql } from './db/dialect';
import { toDbTimestamp } from './db/time';
import type { Database } from './db/schema';
import { AppError } from './errors';
import { errorForLog, logger } from './logger';

/**
 * Request limits that hold across Lambda instances, over sliding windows: a use is let
 * through only if fewer than `max` uses were let through in the `windowSeconds` before it,
 * so no interval of the window's length ever passes more than `max` (fixed windows let
 * twice the limit through across a boundary). One row per (limit, subject) keeps the times
 * of the uses it counted, at most `max` of them. RATE_LIMITS=off turns them all off.
 */
export type LimitName = keyof Config['rateLimits']['limits'];

/** Each counted use is stored as its time in ms since the epoch, in 13 digits (until 2286). */
const STAMP_WIDTH = 13;
const stamp = (ms: number) => String(Math.floor(ms)).padStart(STAMP_WIDTH, '0');

/**
 * The row's key: the limit's name and a keyed hash (HMAC-SHA256, with a key derived from
 * the signing secret) of the subject. Subjects are user ids, IPs and typed login names, and
 * a password typed into the name field must never land in the database; without the key,
 * a hash of a short subject could be reversed by trying them all.
 */
function bucketOf(name: LimitName, subject: string): string {
  const digest = createHmac('sha256', derivedKey('rate-limit-subjects'))
    .update(`${name}\n${subject}`, 'utf8')
    .digest('base64url');
  return `${name}:${digest}`;
}

function limitFor(name: LimitName): RateLimit | undefined {
  const { enabled, limits } = getConfig().rateLimits;
  return enabled ? limits[name] : undefined;
}

/**
 * Counts one use of `name` by `subject`; throws RATE_LIMITED, without counting it, when
 * the window already holds `max` uses. Given a transaction, the count is part of it: if the
 * transaction rolls back (the action failed, or was a replay), the use was never counted.
 */
export async function consumeLimit(
  name: LimitName,
  subject: string,
  trx?: Kysely<Database>,
): Promise<void> {
  const limit = limitFor(name);
  if (!limit) return;
  const at = now().getTime();
  const blockedUntil = await take(trx ?? (await getDb()), bucketOf(name, subject), limit, at);
  if (trx === undefined) await sweepExpiredLimits();
  if (blockedUntil > 0) {
    const retryAfterSeconds = Math.max(1, Math.ceil((blockedUntil - at) / 1000));
    throw new AppError('RATE_LIMITED', undefined, { retryAfterSeconds });
  }
}

/**
 * Takes back the latest use counted by consumeLimit, for attempts that turn out not to
 * count. (Login attempts all count now; kept for callers that refund.)
 */
export async function refundLimit(name: LimitName, subject: string): Promise<void> {
  const limit = limitFor(name);
  if (!limit) return;
  const db = await getDb();
  await db
    .updateTable('rate_limit_counters')
    .set({ stamps: sql<string>`substr(stamps, 1, length(stamps) - ${STAMP_WIDTH})` })
    .where('bucket', '=', bucketOf(name, subject))
    .where(sql<boolean>`length(stamps) >= ${STAMP_WIDTH}`)
    .execute();
}

/**
 * One atomic statement (an upsert: no transaction, one round trip, the row lock orders
 * parallel requests on any number of instances): the use is let through when the row holds
 * fewer than `max` stamps or its `max`-th newest stamp has left the window; then its stamp
 * is appended and only the newest `max` are kept. Answers 0 when let through, else the
 * moment (ms) the oldest counted use leaves the window: when a retry can succeed.
 *
 * Both dialects read the row's old values in every assignment as long as none reads a
 * column assigned before it (MySQL assigns left to right): `blocked_until` reads `stamps`
 * before `stamps` is assigned, and `stamps` reads only itself.
 */
async function take(
  db: Kysely<Database>,
  bucket: string,
  limit: RateLimit,
  at: number,
): Promise<number> {
  const windowMs = limit.windowSeconds * 1000;
  const full = limit.max * STAMP_WIDTH;
  const kept = (limit.max - 1) * STAMP_WIDTH;
  // The `max`-th newest counted use; it has left the window once it is at or before `cutoff`.
  const oldestCounted = sql<string>`substr(stamps, length(stamps) - ${full} + 1, ${STAMP_WIDTH})`;
  const letThrough = sql<boolean>`(length(stamps) < ${full} or ${oldestCounted} <= ${stamp(at - windowMs)})`;
  const blockedUntil = sql<number>`case when ${letThrough} then 0 else cast(${oldestCounted} as signed integer) + ${windowMs} end`;
  const stamps = sql<string>`case when ${letThrough} then concat(case when length(stamps) > ${kept} then substr(stamps, length(stamps) - ${kept} + 1) else stamps end, ${stamp(at)}) else stamps end`;
  const insert = db.insertInto('rate_limit_counters').values({
    bucket,
    stamps: stamp(at),
    blocked_until: 0,
    // Every stamp has left the window by then; housekeeping removes the row afterwards.
    expires_at: toDbTimestamp(new Date(at + windowMs)),
  });
  const expiresAt = sql<string>`${toDbTimestamp(new Date(at + windowMs))}`;
  if (isMysql(db)) {
    // LAST_INSERT_ID(expr) returns `blocked_until` in the statement's own answer; a fresh
    // row (no auto-increment column) answers 0, which Kysely reports as no insert id.
    const result = await insert
      .onDuplicateKeyUpdate({
        blocked_until: sql<number>`last_insert_id(${blockedUntil})`,
        stamps,
        expires_at: expiresAt,
      })
      .executeTakeFirstOrThrow();
    return result.insertId === undefined ? 0 : Number(result.insertId);
  }
  const row = await insert
    .onConflict((conflict) =>
      conflict
        .column('bucket')
        .doUpdateSet({ blocked_until: blockedUntil, stamps, expires_at: expiresAt }),
    )
    .returning('blocked_until')
    .executeTakeFirstOrThrow();
  return Number(row.blocked_until);
}

/**
 * Now and then (1 call in 100), clears rows whose every use has left its window (indexed by
 * expires_at). Best effort, outside any transaction: housekeeping never fails the request
 * it rides on (a send already committed must not answer 503).
 */
export async function sweepExpiredLimits(): Promise<void> {
  if (!getConfig().rateLimits.enabled || Math.random() >= 0.01) return;
  try {
    const db = await getDb();
    await db
      .deleteFrom('rate_limit_counters')
      .where('expires_at', '<', toDbTimestamp(now()))
      .execute();
  } catch (error) {
    logger.warn('could not clear expired rate-limit windows', { error: errorForLog(error) });
  }
}
