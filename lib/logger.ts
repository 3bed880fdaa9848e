import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger for the service. The Middy stack injects the Lambda
 * context, so every line carries the request id. Level: POWERTOOLS_LOG_LEVEL (or
 * LOG_LEVEL), default INFO. Never log passwords or tokens.
 */
export const logger = new Logger({ serviceName: 'chat-backend' });

function isErrorLike(value: unknown): value is Error {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Error).message === 'string' &&
    typeof (value as Error).name === 'string'
  );
}

/** Errors from mysql2 and better-sqlite3: their texts can quote a statement's values. */
function isDriverError(error: Error & { code?: unknown }): boolean {
  return (
    'sqlState' in error ||
    'sql' in error ||
    (typeof error.code === 'string' && /^(ER_|SQLITE_)/.test(error.code))
  );
}

/**
 * What of an error may be logged. A driver error keeps its codes and stack frames but
 * loses its message and SQL, which can carry values (an email, a password hash); nothing
 * else of its own properties is copied.
 */
export function errorForLog(error: unknown, depth = 0): Record<string, unknown> {
  // Duck-typed: errors from another realm (Node's core under a test VM) fail instanceof.
  if (!isErrorLike(error)) return { type: typeof error };
  const { code, errno, sqlState } = error as Error & Record<string, unknown>;
  const redact = isDriverError(error);
  return {
    name: error.name,
    ...(code === undefined ? {} : { code }),
    ...(errno === undefined ? {} : { errno }),
    ...(sqlState === undefined ? {} : { sqlState }),
    ...(redact ? {} : { message: error.message }),
    stack: redact ? error.stack?.split('\n').slice(1).join('\n') : error.stack,
    ...(error.cause !== undefined && depth < 3
      ? { cause: errorForLog(error.cause, depth + 1) }
      : {}),
  };
}
