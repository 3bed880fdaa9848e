import { sql } from 'kysely';
import { getConfig, type Config, type RateLimit } from './config';
import { getDb } from './db/connection';
import { isMysql } from './db/dialect';
import { toDbTimestamp } from './db/time';
import { AppError } from './errors';

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

async function hitsIn(window: Window): Promise<number> {
  const db = await getDb();
  const row = await db
    .selectFrom('rate_limit_counters')
    .select('hits')
    .where('bucket', '=', window.bucket)
    .executeTakeFirst();
  return row?.hits ?? 0;
}

/** Throws RATE_LIMITED if `subject` has used up `name` in this window; counts nothing. */
export async function assertUnderLimit(name: LimitName, subject: string): Promise<void> {
  const limit = limitFor(name);
  if (!limit) return;
  const now = Date.now();
  const window = currentWindow(name, subject, limit, now);
  if ((await hitsIn(window)) >= limit.max) throw rateLimited(window, now);
}

/** Counts one use of `name` by `subject` (a failed login, say) without judging it. */
export async function recordHit(name: LimitName, subject: string): Promise<void> {
  const limit = limitFor(name);
  if (!limit) return;
  await countIn(currentWindow(name, subject, limit, Date.now()));
}

/** Counts one use of `name` by `subject`; throws RATE_LIMITED once it goes over the limit. */
export async function consumeLimit(name: LimitName, subject: string): Promise<void> {
  const limit = limitFor(name);
  if (!limit) return;
  const now = Date.now();
  const window = currentWindow(name, subject, limit, now);
  if ((await countIn(window)) > limit.max) throw rateLimited(window, now);
}

/** Adds one hit to a window (atomically, on any number of instances); returns its total. */
async function countIn(window: Window): Promise<number> {
  const db = await getDb();
  const insert = db.insertInto('rate_limit_counters').values({
    bucket: window.bucket,
    hits: 1,
    expires_at: toDbTimestamp(window.expiresAt),
  });
  const increment = { hits: sql<number>`hits + 1` };
  await (
    isMysql(db)
      ? insert.onDuplicateKeyUpdate(increment)
      : insert.onConflict((conflict) => conflict.column('bucket').doUpdateSet(increment))
  ).execute();
  // Now and then, clear windows that have ended (indexed by expires_at).
  if (Math.random() < 0.01) {
    await db.deleteFrom('rate_limit_counters').where('expires_at', '<', toDbTimestamp()).execute();
  }
  return hitsIn(window);
}
