import { createSecretKey } from 'node:crypto';
import { loadConfig } from '../config';
import { databasePassword, jwtKeys, setLoadedSecrets } from './index';

const current = 'current-key-'.padEnd(40, 'c');
const previous = 'previous-key-'.padEnd(40, 'p');
const bytes = (key: { export: () => Buffer } | undefined) => key?.export().toString('utf8');

afterEach(() => setLoadedSecrets({}));

describe('jwtKeys (local runs: from the environment)', () => {
  const inAnHour = new Date(Date.now() + 3600_000).toISOString();

  it('yields the current key, and the previous one until its set time', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET_KEY: current,
      JWT_PREVIOUS_SECRET_KEY: previous,
      JWT_PREVIOUS_SECRET_KEY_UNTIL: inAnHour,
    });
    const keys = jwtKeys(config);
    expect([bytes(keys.current), bytes(keys.previous)]).toEqual([current, previous]);
    expect(keys.current.equals(createSecretKey(Buffer.from(current)))).toBe(true);
  });

  it('drops the previous key once its time has passed, or when no time is set', () => {
    const past = new Date(Date.now() - 1000).toISOString();
    for (const until of [past, '']) {
      const config = loadConfig({
        NODE_ENV: 'test',
        JWT_SECRET_KEY: current,
        JWT_PREVIOUS_SECRET_KEY: previous,
        JWT_PREVIOUS_SECRET_KEY_UNTIL: until,
      });
      expect([until, jwtKeys(config).previous]).toEqual([until, undefined]);
    }
  });

  it('refuses an until that is not an ISO 8601 instant', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'test', JWT_PREVIOUS_SECRET_KEY_UNTIL: 'next tuesday' }),
    ).toThrow(/JWT_PREVIOUS_SECRET_KEY_UNTIL/);
  });
});

describe('secrets named by SSM parameters (deployed stages)', () => {
  const config = loadConfig({
    AWS_LAMBDA_FUNCTION_NAME: 'chat-backend-prod-login',
    DB_TYPE: 'mysql',
    DB_PASSWORD: '',
    DB_PASSWORD_PARAMETER: '/chat/prod/db-password',
    JWT_SECRET_KEY_PARAMETER: '/chat/prod/jwt-key',
  });

  it('are an error until the middleware has loaded them', () => {
    expect(() => jwtKeys(config)).toThrow(/\/chat\/prod\/jwt-key has not been loaded/);
  });

  it('come from what the middleware loaded, not the environment', () => {
    setLoadedSecrets({ jwtSecretKey: current, dbPassword: 'from-parameter-store' });
    expect(bytes(jwtKeys(config).current)).toBe(current);
    if (config.db.type !== 'mysql') throw new Error('expected mysql');
    expect(databasePassword(config.db, config)).toBe('from-parameter-store');
  });

  it('leave DB_PASSWORD in charge when no parameter is named', () => {
    const local = loadConfig({ DB_TYPE: 'mysql', DB_PASSWORD: 'from-env', NODE_ENV: 'test' });
    if (local.db.type !== 'mysql') throw new Error('expected mysql');
    expect(databasePassword(local.db, local)).toBe('from-env');
  });
});
