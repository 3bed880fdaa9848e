/** Shapes shared by the benchmark's stages (bench/README in the project README). */

export type DbType = 'sqlite' | 'mysql';

/** Latency of one measured run: many calls at a fixed concurrency. */
export interface LatencySummary {
  ops: number;
  concurrency: number;
  opsPerSecond: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/**
 * What the cold-start and HTTP stages get from a seeded database: the environment a
 * function needs to reach it, and users with live access tokens.
 */
export interface BenchFixture {
  db: DbType;
  /** DB_TYPE, SQLITE_PATH or DB_HOST/DB_NAME/..., JWT_SECRET_KEY, BCRYPT_COST, RATE_LIMITS... */
  env: Record<string, string>;
  /** The password of every seeded user (they share one bcrypt hash). */
  password: string;
  /** A user with a long conversation: their token, id and name, and the friend's id. */
  reader: { token: string; userId: number; username: string; friendId: number };
  /** Distinct friend pairs (never the reader): the sender's token and the receiver's id. */
  senders: { token: string; senderId: number; receiverId: number }[];
  /** Access tokens of sessions nobody else uses, for calls that end them (logout). */
  disposableTokens: string[];
}

/** Cold start of one function, as a fresh Node process loading its bundle sees it. */
export interface ColdStartResult {
  /** The function's name in serverless.yml. */
  function: string;
  /** The minified bundle (no source map), in bytes. */
  bundleBytes: number;
  /** require() of the bundle in a fresh process. */
  initMs: number;
  /** The first invocation, opening the database connection. */
  firstInvokeMs: number;
  /** The second invocation, warm. */
  secondInvokeMs: number;
  /** Status code of the first invocation (the bench checks it succeeded). */
  firstStatus: number;
  /** Resident memory after the two invocations. */
  rssMb: number;
}

/** One autocannon run through serverless-offline. */
export interface HttpLoadResult {
  endpoint: string;
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Responses other than 2xx, and connection errors/timeouts: both should be 0. */
  non2xx: number;
  errors: number;
}
