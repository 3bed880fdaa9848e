import { sql, type Kysely } from 'kysely';
import { getConfig, type Config, type RateLimit } from './config';
import { getDb } from './db/connection';
import { isMysql } from './db/dialect';
import { toDbTimestamp } from './db/time';
import type { Database } from './db/schema';
import { AppError } from './errors';
import { errorForLog, logger } from './logger';

/**
 * Request limits that hold across Lambda instances: fixed-window counters in the
 * database, one row per (limit, subject, window). RATE_LIMITS=off turns them all off.
 */
export type LimitName = keyof Config['rateLimits']['limits'];

interface Window {
  bucket: string;
  expiresAt: Date;
}

function currentWindow(name: LimitName, subject: string, limit: RateLimit, now: number): Window {
  const windowMs = limit.windowSeconds * 1000;
  const start = Math.floor(now / windowMs) * windowMs;
  // Subjects are user ids, IPs or case-folded logins: bounded, but hashed would hide them
  // from anyone reading the table. They stay readable for operators; logins are cut short.
  return {
    bucket: `${name}:${subject.slice(0, 200)}:${start}`,
    expiresAt: new Date(start + windowMs),
  };
}

function rateLimited(window: Window, now: number): AppError {
  const retryAfter = Math.max(1, Math.ceil((window.expiresAt.getTime() - now) / 1000));
  return new AppError('RATE_LIMITED', undefined, { retryAfterSeconds: retryAfter });
}

function limitFor(name: LimitName): RateLimit | undefined {
  const { enabled, limits } = getConfig().rateLimits;
  return enabled ? limits[name] : undefined;
}

/**
 * Counts one use of `name` by `subject`; throws RATE_LIMITED once it goes over the limit.
 * Given a transaction, the count is part of it: if the transaction rolls back (the action
 * failed, or was a replay), the use was never counted.
 */
export async function consumeLimit(
  name: LimitName,
  subject: string,
  trx?: Kysely<Database>,
): Promise<void> {
  const limit = limitFor(name);
  if (!limit) return;
  const now = Date.now();
  const window = currentWindow(name, subject, limit, now);
  const hits = await countIn(trx ?? (await getDb()), window);
  if (trx === undefined) await sweepExpiredLimits();
  if (hits > limit.max) throw rateLimited(window, now);
}

/**
 * Takes back one use counted by consumeLimit, for attempts that turn out not to count
 * (a login that succeeded). Counting first and refunding later means parallel attempts
 * cannot all slip in before any is counted.
 */
export async function refundLimit(name: LimitName, subject: string): Promise<void> {
  const limit = limitFor(name);
  if (!limit) return;
  const db = await getDb();
  await db
    .updateTable('rate_limit_counters')
    .set({ hits: sql<number>`hits - 1` })
    .where('bucket', '=', currentWindow(name, subject, limit, Date.now()).bucket)
    .where('hits', '>', 0)
    .execute();
}

/**
 * Adds one hit to a window and returns the total including it, in one atomic statement
 * (no transaction, one round trip), so parallel requests on any number of instances each
 * see their own count: exactly `max` of a burst get through.
 */
async function countIn(db: Kysely<Database>, window: Window): Promise<number> {
  const insert = db.insertInto('rate_limit_counters').values({
    bucket: window.bucket,
    hits: 1,
    expires_at: toDbTimestamp(window.expiresAt),
  });
  let hits: number;
  if (isMysql(db)) {
    // LAST_INSERT_ID(expr) returns the new count in the statement's own answer; a fresh
    // row (no auto-increment column) answers 0, which Kysely reports as no insert id.
    const result = await insert
      .onDuplicateKeyUpdate({ hits: sql<number>`last_insert_id(hits + 1)` })
      .executeTakeFirstOrThrow();
    hits = result.insertId === undefined ? 1 : Number(result.insertId);
  } else {
    const row = await insert
      .onConflict((conflict) => conflict.column('bucket').doUpdateSet({ hits: sql`hits + 1` }))
      .returning('hits')
      .executeTakeFirstOrThrow();
    hits = row.hits;
  }
  return hits;
}

/**
 * Now and then (1 call in 100), clears windows that have ended (indexed by expires_at).
 * Best effort, outside any transaction: housekeeping never fails the request it rides on
 * (a send already committed must not answer 503).
 */
export async function sweepExpiredLimits(): Promise<void> {
  if (!getConfig().rateLimits.enabled || Math.random() >= 0.01) return;
  try {
    const db = await getDb();
    await db.deleteFrom('rate_limit_counters').where('expires_at', '<', toDbTimestamp()).execute();
  } catch (error) {
    logger.warn('could not clear expired rate-limit windows', { error: errorForLog(error) });
  }
}
