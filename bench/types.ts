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

/** A friend pair for the push stage: both users appear in no other pair of the list. */
export interface PushPair {
  senderId: number;
  senderToken: string;
  receiverId: number;
  /** Opens the receiver's WebSockets (`?token=`). */
  receiverToken: string;
}

/**
 * Push latency at one number of concurrent senders: from the moment a send request leaves
 * the client to the moment its message.new frame arrives at the receiver's socket.
 */
export interface PushLatencyRun extends LatencySummary {
  /** The same sends' HTTP round trip (201 answered), p50. */
  sendP50Ms: number;
  /**
   * messageSend's duration as serverless-offline logs it (worker-thread hand-off and the
   * handler, push included), p50; absent if its log could not be matched to the sends.
   */
  handlerP50Ms?: number;
  /** Share of sends whose frame arrived before their HTTP answer (0–1). */
  frameFirstShare: number;
}

/** The push stage: real-time delivery through serverless-offline's WebSocket API. */
export interface PushResult {
  /** Sender→receiver pairs whose receiver had one socket open, for the latency runs. */
  pairs: number;
  /** One run per number of concurrent senders (1, then 8). */
  latency: PushLatencyRun[];
  /** What pushing adds to a send: its round trip with the receiver connected or not. */
  overhead: {
    /** Sockets each connected receiver had open. */
    sockets: number;
    /** Sends on each side, one at a time, in alternating blocks. */
    sends: number;
    connected: LatencySummary;
    disconnected: LatencySummary;
    /** connected p50 / disconnected p50. */
    ratio: number;
    /** The same sends' duration as serverless-offline logs it (see handlerP50Ms above). */
    handlerP50Ms?: { connected: number; disconnected: number };
  };
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
