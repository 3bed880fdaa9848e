import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs before each test file is loaded: a database of its own (a fresh SQLite file, or a
 * fresh MySQL database that test/setup/database.ts creates), a fixed secret and fast bcrypt.
 */
const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
process.env.DB_TYPE ??= 'sqlite';
process.env.SQLITE_PATH = join(tmpdir(), 'chat-backend-tests', `test_${suffix}.sqlite`);
process.env.DB_NAME = `chat_test_${suffix}`;
process.env.DB_HOST ??= '127.0.0.1';
process.env.DB_USER ??= 'root';
process.env.JWT_SECRET_KEY = 'test-secret-that-is-long-enough-for-hs256-signing';
process.env.BCRYPT_COST = '4';
// Enough connections for concurrency tests to really race on MySQL.
process.env.DB_POOL_SIZE ??= '8';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Only the rate-limit tests turn limits on (with small ones of their own).
process.env.RATE_LIMITS = 'off';
