import * as z from 'zod';

/**
 * Environment, read and validated once per Lambda container.
 * Every setting the service understands is listed here and in `.env.example`.
 */

/** Used only for local runs (serverless-offline, tests) when JWT_SECRET_KEY is unset. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-do-not-use-in-production!';
const MIN_SECRET_LENGTH = 32;

/** The largest `<max>` of a rate limit: its row keeps a 13-character timestamp per use. */
export const MAX_RATE_LIMIT = 5000;

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback);

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

/** `<max>/<seconds>`: at most `max` in each window of `seconds`. */
const rateLimit = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,7}\/\d{1,7}$/, 'must look like <max>/<seconds>, e.g. 10/900')
    .default(fallback)
    .transform((value) => {
      const [max = 0, windowSeconds = 0] = value.split('/').map(Number);
      return { max, windowSeconds };
    })
    .refine(
      (limit) => limit.max >= 1 && limit.windowSeconds >= 1,
      'both numbers must be at least 1',
    )
    // A sliding window keeps one timestamp per counted use (lib/rate-limits.ts).
    .refine((limit) => limit.max <= MAX_RATE_LIMIT, `the max must be at most ${MAX_RATE_LIMIT}`);

/** The name of an SSM Parameter Store parameter (SecureString) holding a secret. */
const ssmParameterName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.\-/]{1,1011}$/, 'must be an SSM parameter name, e.g. /chat/prod/jwt-key')
  .optional();

const environmentSchema = z.object({
  DB_TYPE: z.enum(['sqlite', 'mysql']).default('sqlite'),
  SQLITE_PATH: z.string().min(1).default('.data/chat.sqlite'),
  DB_HOST: z.string().min(1).default('127.0.0.1'),
  DB_PORT: integer(3306, 1, 65535),
  DB_USER: z.string().min(1).default('root'),
  DB_PASSWORD: z.string().default(''),
  DB_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/, 'must be 1-64 letters, digits or underscores')
    .default('chat_app'),
  DB_POOL_SIZE: integer(2, 1, 100),
  DB_CONNECT_TIMEOUT_MS: integer(3000, 100, 60000),
  DB_QUERY_TIMEOUT_MS: integer(5000, 100, 600000),
  DB_AUTO_MIGRATE: flag.optional(),
  DB_SSL: z
    .string()
    .trim()
    .regex(
      /^(off|rds|rds-proxy|[./].+)$/,
      'must be off, rds, rds-proxy or the path of a CA file (starting with / or .)',
    )
    .optional(),
  DB_PASSWORD_PARAMETER: ssmParameterName,
  JWT_SECRET_KEY: z.string().optional(),
  JWT_SECRET_KEY_PARAMETER: ssmParameterName,
  JWT_PREVIOUS_SECRET_KEY: z.string().optional(),
  JWT_PREVIOUS_SECRET_KEY_PARAMETER: ssmParameterName,
  JWT_PREVIOUS_SECRET_KEY_UNTIL: z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .optional(),
  SECRETS_CACHE_SECONDS: integer(300, 0, 24 * 3600),
  AWS_LAMBDA_FUNCTION_NAME: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: integer(900, 60, 24 * 3600),
  REFRESH_TOKEN_TTL_SECONDS: integer(30 * 24 * 3600, 300, 365 * 24 * 3600),
  REFRESH_REUSE_GRACE_SECONDS: integer(20, 0, 300),
  BCRYPT_COST: integer(10, 4, 15),
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  RATE_LIMIT_LOGIN_PER_ACCOUNT_IP: rateLimit('10/900'),
  RATE_LIMIT_LOGIN_PER_IP: rateLimit('100/900'),
  RATE_LIMIT_LOGIN_PER_ACCOUNT: rateLimit('100/900'),
  RATE_LIMIT_REGISTER_PER_IP: rateLimit('10/3600'),
  RATE_LIMIT_SEND_PER_USER: rateLimit('120/60'),
  RATE_LIMIT_FRIEND_ADD_PER_USER: rateLimit('30/60'),
  RATE_LIMIT_SEARCH_EMAIL_PER_USER: rateLimit('20/3600'),
  WEBSOCKET_API_ENDPOINT: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an http(s) URL without query')
    .optional(),
  WEBSOCKET_URL: z
    .string()
    .trim()
    .regex(/^wss?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be a ws:// or wss:// URL without query')
    .optional(),
  CORS_ORIGINS: z
    .string()
    .default('*')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^(\*|https?:\/\/[^\s/?#*]+)$/,
              'must be * or origins like https://app.example.com (scheme and host, no path)',
            ),
        )
        .min(1),
    ),
  PUSH_TIMEOUT_MS: integer(1500, 50, 10000),
  RECALL_WINDOW_SECONDS: integer(120, 0, 7 * 24 * 3600),
  IS_OFFLINE: z.string().optional(),
  NODE_ENV: z.string().optional(),
});

export interface RateLimit {
  max: number;
  windowSeconds: number;
}

export interface Config {
  db:
    | { type: 'sqlite'; path: string }
    | {
        type: 'mysql';
        host: string;
        port: number;
        user: string;
        password: string;
        database: string;
        poolSize: number;
        connectTimeoutMs: number;
        queryTimeoutMs: number;
        /** TLS to the server, verified against a CA bundle; `off` for none. */
        ssl: DatabaseTls;
      };
  /** Applies pending migrations on first connect: on by default for local runs only. */
  autoMigrate: boolean;
  /**
   * Secrets read at run time from SSM Parameter Store (deployed stages), by parameter name;
   * lib/secrets.ts loads them before a handler runs. Unset: the environment's values.
   */
  secretParameters: {
    dbPassword: string | undefined;
    jwtSecretKey: string | undefined;
    jwtPreviousSecretKey: string | undefined;
  };
  /** How long loaded secrets are reused before they are read again (picks up rotations). */
  secretsCacheSeconds: number;
  /** A second key tokens may be signed with, accepted for verification until `until`. */
  jwtPreviousSecret: { secret: string | undefined; until: Date | undefined };
  /** Undefined when unset outside local runs; `requireJwtSecret()` turns that into an error. */
  jwtSecret: string | undefined;
  /** True when the secret is the built-in development one. */
  usingDevelopmentSecret: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /**
   * A refresh token presented again this soon after its rotation, while its login lives,
   * is a retry of a lost answer (a fresh pair), not a theft.
   */
  refreshReuseGraceSeconds: number;
  bcryptCost: number;
  /** How long after sending its sender may recall a message. */
  recallWindowSeconds: number;
  realtime: RealtimeConfig;
  /** Which web pages may call the API from a browser: `*`, or exact origins (CORS_ORIGINS). */
  corsOrigins: string[];
  rateLimits: {
    enabled: boolean;
    limits: {
      /** Login attempts naming one account from one client IP: the main limit. */
      loginPerAccountIp: RateLimit;
      /** Login attempts from one client IP, whatever account they name. */
      loginPerIp: RateLimit;
      /** Login attempts naming one account from anywhere: a high ceiling against distributed guessing. */
      loginPerAccount: RateLimit;
      /** Registration attempts from one client IP. */
      registerPerIp: RateLimit;
      /** Messages sent by one user. */
      sendPerUser: RateLimit;
      /** Friend adds by one user, every attempt (whatever its answer). */
      friendAddPerUser: RateLimit;
      /** Searches by one user whose keyword contains `@` (an email lookup). */
      searchEmailPerUser: RateLimit;
    };
  };
}

export interface RealtimeConfig {
  /**
   * The WebSocket API's management endpoint (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`,
   * or serverless-offline's `http://127.0.0.1:{port}`); unset, nothing is pushed.
   */
  endpoint: string | undefined;
  /** What clients connect to (`wss://…/{stage}`, or `ws://localhost:3001`), for docs and the try-it page. */
  clientUrl: string | undefined;
  /** The most a request waits for its pushes (all of them, in parallel). */
  pushTimeoutMs: number;
  /** serverless-offline: its management API takes any credentials. */
  offline: boolean;
}

/**
 * How connections to MySQL are secured: `rds` verifies the server against the Amazon RDS CA
 * bundle shipped with the functions, `rds-proxy` against the Amazon Trust Services roots
 * (RDS Proxy endpoints), a file path against that PEM file.
 */
export type DatabaseTls =
  { mode: 'off' } | { mode: 'rds' } | { mode: 'rds-proxy' } | { mode: 'file'; caFile: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Local means serverless-offline or the test runner: the only places a development secret is allowed. */
function isLocalRun(env: z.infer<typeof environmentSchema>): boolean {
  return env.IS_OFFLINE === 'true' || env.NODE_ENV === 'test';
}

/** In a real Lambda (not serverless-offline): where TLS and no auto-migration are the defaults. */
function isDeployed(env: z.infer<typeof environmentSchema>): boolean {
  return env.AWS_LAMBDA_FUNCTION_NAME !== undefined && env.IS_OFFLINE !== 'true';
}

function databaseTls(setting: string): DatabaseTls {
  if (setting === 'off' || setting === 'rds' || setting === 'rds-proxy') return { mode: setting };
  return { mode: 'file', caFile: setting };
}

/** A signing key fit for production: long enough, and not the public development one. */
export function checkJwtSecret(secret: string, name: string): void {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`${name} must be at least ${MIN_SECRET_LENGTH} characters long`);
  }
  if (secret === DEVELOPMENT_JWT_SECRET) {
    throw new ConfigError(`${name} is the public development secret: set a secret of your own`);
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most .env tooling.
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const env = parsed.data;

  let jwtSecret = env.JWT_SECRET_KEY;
  let usingDevelopmentSecret = false;
  if (jwtSecret === undefined && env.JWT_SECRET_KEY_PARAMETER === undefined && isLocalRun(env)) {
    jwtSecret = DEVELOPMENT_JWT_SECRET;
    usingDevelopmentSecret = true;
  }
  if (!isLocalRun(env)) {
    if (jwtSecret !== undefined) checkJwtSecret(jwtSecret, 'JWT_SECRET_KEY');
    if (env.JWT_PREVIOUS_SECRET_KEY !== undefined) {
      checkJwtSecret(env.JWT_PREVIOUS_SECRET_KEY, 'JWT_PREVIOUS_SECRET_KEY');
    }
  }

  return {
    db:
      env.DB_TYPE === 'sqlite'
        ? { type: 'sqlite', path: env.SQLITE_PATH }
        : {
            type: 'mysql',
            host: env.DB_HOST,
            port: env.DB_PORT,
            user: env.DB_USER,
            password: env.DB_PASSWORD,
            database: env.DB_NAME,
            poolSize: env.DB_POOL_SIZE,
            connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
            queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS,
            ssl: databaseTls(env.DB_SSL ?? (isDeployed(env) ? 'rds' : 'off')),
          },
    autoMigrate: env.DB_AUTO_MIGRATE ?? !isDeployed(env),
    secretParameters: {
      dbPassword: env.DB_PASSWORD_PARAMETER,
      jwtSecretKey: env.JWT_SECRET_KEY_PARAMETER,
      jwtPreviousSecretKey: env.JWT_PREVIOUS_SECRET_KEY_PARAMETER,
    },
    secretsCacheSeconds: env.SECRETS_CACHE_SECONDS,
    jwtPreviousSecret: {
      secret: env.JWT_PREVIOUS_SECRET_KEY,
      until: env.JWT_PREVIOUS_SECRET_KEY_UNTIL,
    },
    jwtSecret,
    usingDevelopmentSecret,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
    bcryptCost: env.BCRYPT_COST,
    recallWindowSeconds: env.RECALL_WINDOW_SECONDS,
    realtime: {
      endpoint: env.WEBSOCKET_API_ENDPOINT?.replace(/\/+$/, ''),
      clientUrl: env.WEBSOCKET_URL?.replace(/\/+$/, ''),
      pushTimeoutMs: env.PUSH_TIMEOUT_MS,
      offline: env.IS_OFFLINE === 'true',
    },
    corsOrigins: env.CORS_ORIGINS,
    rateLimits: {
      enabled: env.RATE_LIMITS === 'on',
      limits: {
        loginPerAccountIp: env.RATE_LIMIT_LOGIN_PER_ACCOUNT_IP,
        loginPerIp: env.RATE_LIMIT_LOGIN_PER_IP,
        loginPerAccount: env.RATE_LIMIT_LOGIN_PER_ACCOUNT,
        registerPerIp: env.RATE_LIMIT_REGISTER_PER_IP,
        sendPerUser: env.RATE_LIMIT_SEND_PER_USER,
        friendAddPerUser: env.RATE_LIMIT_FRIEND_ADD_PER_USER,
        searchEmailPerUser: env.RATE_LIMIT_SEARCH_EMAIL_PER_USER,
      },
    },
  };
}

let cached: Config | undefined;

/** The signing secret; a missing one is an error everywhere but local runs. */
export function requireJwtSecret(config: Config = getConfig()): string {
  if (config.jwtSecret === undefined) {
    throw new ConfigError(
      'JWT_SECRET_KEY is required outside local development (serverless-offline, tests)',
    );
  }
  return config.jwtSecret;
}

/** The container's configuration; throws ConfigError (once per call) until the environment is fixed. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
