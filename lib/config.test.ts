import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig, requireJwtSecret } from './config';

const strongSecret = 'x'.repeat(32);

describe('loadConfig', () => {
  it('defaults to SQLite under .data/ with the documented settings', () => {
    const config = loadConfig({ JWT_SECRET_KEY: strongSecret });
    expect(config).toEqual({
      db: { type: 'sqlite', path: '.data/chat.sqlite' },
      autoMigrate: true,
      jwtSecret: strongSecret,
      usingDevelopmentSecret: false,
      secretParameters: {
        dbPassword: undefined,
        jwtSecretKey: undefined,
        jwtPreviousSecretKey: undefined,
      },
      secretsCacheSeconds: 300,
      jwtPreviousSecret: { secret: undefined, until: undefined },
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2592000,
      refreshReuseGraceSeconds: 20,
      bcryptCost: 10,
      recallWindowSeconds: 120,
      realtime: { endpoint: undefined, clientUrl: undefined, pushTimeoutMs: 1500, offline: false },
      corsOrigins: ['*'],
      rateLimits: {
        enabled: true,
        limits: {
          loginPerAccountIp: { max: 10, windowSeconds: 900 },
          loginPerIp: { max: 100, windowSeconds: 900 },
          loginPerAccount: { max: 100, windowSeconds: 900 },
          registerPerIp: { max: 10, windowSeconds: 3600 },
          sendPerUser: { max: 120, windowSeconds: 60 },
          friendAddPerUser: { max: 30, windowSeconds: 60 },
          searchEmailPerUser: { max: 20, windowSeconds: 3600 },
        },
      },
    });
  });

  it('reads the WebSocket management endpoint without its trailing slash', () => {
    const config = loadConfig({
      JWT_SECRET_KEY: strongSecret,
      WEBSOCKET_API_ENDPOINT: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/',
      WEBSOCKET_URL: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod',
      PUSH_TIMEOUT_MS: '800',
      IS_OFFLINE: 'true',
    });
    expect(config.realtime).toEqual({
      endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
      clientUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod',
      pushTimeoutMs: 800,
      offline: true,
    });
  });

  it.each([['ws://host:3001'], ['https://host/path?x=1'], ['not a url']])(
    'refuses WEBSOCKET_API_ENDPOINT=%s',
    (endpoint) => {
      expect(() =>
        loadConfig({ JWT_SECRET_KEY: strongSecret, WEBSOCKET_API_ENDPOINT: endpoint }),
      ).toThrow(/WEBSOCKET_API_ENDPOINT/);
    },
  );

  it('reads the MySQL settings', () => {
    const config = loadConfig({
      DB_TYPE: 'mysql',
      DB_HOST: 'db.internal',
      DB_PORT: '3307',
      DB_USER: 'chat',
      DB_PASSWORD: 'pw',
      DB_NAME: 'chat_prod',
      DB_POOL_SIZE: '4',
      JWT_SECRET_KEY: strongSecret,
    });
    expect(config.db).toEqual({
      type: 'mysql',
      host: 'db.internal',
      port: 3307,
      user: 'chat',
      password: 'pw',
      database: 'chat_prod',
      poolSize: 4,
      connectTimeoutMs: 3000,
      queryTimeoutMs: 5000,
      ssl: { mode: 'off' },
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DB_TYPE: '', DB_PORT: '', JWT_SECRET_KEY: strongSecret }).db.type).toBe(
      'sqlite',
    );
  });

  it.each([
    ['DB_TYPE', 'postgres', /DB_TYPE/],
    ['DB_PORT', 'abc', /DB_PORT: must be a whole number/],
    ['DB_PORT', '70000', /DB_PORT/],
    ['DB_NAME', 'chat; drop', /DB_NAME: must be 1-64 letters/],
    ['BCRYPT_COST', '3', /BCRYPT_COST/],
    ['DB_AUTO_MIGRATE', 'maybe', /DB_AUTO_MIGRATE/],
    ['RATE_LIMITS', 'sometimes', /RATE_LIMITS/],
    ['RATE_LIMIT_SEND_PER_USER', '10 per minute', /RATE_LIMIT_SEND_PER_USER: must look like/],
    ['RATE_LIMIT_FRIEND_ADD_PER_USER', '0/60', /RATE_LIMIT_FRIEND_ADD_PER_USER: both numbers/],
    ['RATE_LIMIT_LOGIN_PER_IP', '0/60', /RATE_LIMIT_LOGIN_PER_IP: both numbers/],
    ['RATE_LIMIT_LOGIN_PER_ACCOUNT_IP', '5001/60', /RATE_LIMIT_LOGIN_PER_ACCOUNT_IP: the max/],
    ['REFRESH_REUSE_GRACE_SECONDS', '301', /REFRESH_REUSE_GRACE_SECONDS/],
  ])('refuses %s=%s with a clear message', (name, value, message) => {
    expect(() => loadConfig({ [name]: value, JWT_SECRET_KEY: strongSecret })).toThrow(message);
  });

  describe('the JWT secret', () => {
    it('uses the development secret, and says so, only in local runs', () => {
      for (const local of [{ IS_OFFLINE: 'true' }, { NODE_ENV: 'test' }]) {
        const config = loadConfig(local);
        expect(config.jwtSecret).toBe(DEVELOPMENT_JWT_SECRET);
        expect(config.usingDevelopmentSecret).toBe(true);
      }
    });

    it('is required outside local runs', () => {
      const config = loadConfig({});
      expect(() => requireJwtSecret(config)).toThrow(ConfigError);
      expect(() => requireJwtSecret(config)).toThrow(/JWT_SECRET_KEY is required/);
    });

    it('cannot be the public development secret outside local runs', () => {
      expect(() => loadConfig({ JWT_SECRET_KEY: DEVELOPMENT_JWT_SECRET })).toThrow(
        /public development secret/,
      );
    });

    it('must be at least 32 characters outside local runs', () => {
      expect(() => loadConfig({ JWT_SECRET_KEY: 'short-secret' })).toThrow(
        /JWT_SECRET_KEY must be at least 32 characters/,
      );
      expect(loadConfig({ JWT_SECRET_KEY: 'short-secret', IS_OFFLINE: 'true' }).jwtSecret).toBe(
        'short-secret',
      );
    });
  });
});

describe('defaults of deployed functions (a Lambda, not serverless-offline)', () => {
  const deployed = { AWS_LAMBDA_FUNCTION_NAME: 'chat-backend-prod-login', DB_TYPE: 'mysql' };

  it('verify TLS against the RDS CA bundle and never migrate on their own', () => {
    const config = loadConfig({ ...deployed, JWT_SECRET_KEY_PARAMETER: '/chat/prod/jwt' });
    expect(config.db).toMatchObject({ type: 'mysql', ssl: { mode: 'rds' } });
    expect(config.autoMigrate).toBe(false);
  });

  it('keep local runs as they were: no TLS, migrations on first connect', () => {
    const config = loadConfig({ ...deployed, IS_OFFLINE: 'true' });
    expect(config.db).toMatchObject({ ssl: { mode: 'off' } });
    expect(config.autoMigrate).toBe(true);
  });

  it('take DB_SSL and DB_AUTO_MIGRATE when given', () => {
    const config = loadConfig({
      ...deployed,
      JWT_SECRET_KEY_PARAMETER: '/chat/prod/jwt',
      DB_SSL: '/opt/ca.pem',
      DB_AUTO_MIGRATE: 'true',
    });
    expect(config.db).toMatchObject({ ssl: { mode: 'file', caFile: '/opt/ca.pem' } });
    expect(config.autoMigrate).toBe(true);
    expect(() => loadConfig({ ...deployed, DB_SSL: 'maybe' })).toThrow(/DB_SSL/);
  });
});
