/**
 * Driver errors, classified once for both dialects so business code can say what it
 * means ("that username is taken") without knowing which database answered.
 */
interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  /** mysql2: the connection itself failed (network, protocol, closed) and is gone. */
  fatal?: unknown;
}

function asDriverError(error: unknown): DriverError {
  return typeof error === 'object' && error !== null ? (error as DriverError) : {};
}

/** Network and server-state failures after which the next request may well succeed. */
const unavailableCodes = new Set([
  // Node sockets and mysql2
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'POOL_CLOSED',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  // Outside inTransaction (which retries it), a deadlock is transient: try again later.
  'ER_LOCK_DEADLOCK',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_QUERY_TIMEOUT',
  // better-sqlite3
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
]);

/** The database could not be opened (bad path, unreachable host, failed first migration). */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const { code, fatal } = asDriverError(error);
  if (fatal === true) return true;
  if (typeof code !== 'string') return false;
  return (
    unavailableCodes.has(code) || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_IOERR')
  );
}

/**
 * When `error` is a unique-key violation, the violated key's name or column list
 * (MySQL names the index, SQLite the columns); otherwise undefined.
 */
export function uniqueViolation(error: unknown): string | undefined {
  const { code, message } = asDriverError(error);
  if (typeof message !== 'string') return undefined;
  if (code === 'ER_DUP_ENTRY') {
    return /for key '([^']+)'/.exec(message)?.[1] ?? '';
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return /constraint failed: (.+)$/.exec(message)?.[1] ?? '';
  }
  return undefined;
}
