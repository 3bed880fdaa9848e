import { createSecretKey, type KeyObject } from 'node:crypto';
import { now } from '../clock';
import { checkJwtSecret, ConfigError, getConfig, requireJwtSecret, type Config } from '../config';

/**
 * The secrets of this container, in one place: from the environment in local runs, from
 * SSM Parameter Store in deployed stages (./middleware.ts loads them before each handler
 * runs, cached for SECRETS_CACHE_SECONDS).
 */
export interface LoadedSecrets {
  dbPassword?: string;
  jwtSecretKey?: string;
  jwtPreviousSecretKey?: string;
}

let loaded: LoadedSecrets = {};

/** Called by the secrets middleware with what it read; tests call it to clear (`{}`). */
export function setLoadedSecrets(secrets: LoadedSecrets): void {
  loaded = secrets;
}

function fromParameter(
  name: keyof LoadedSecrets,
  parameter: string | undefined,
): string | undefined {
  if (parameter === undefined) return undefined;
  const value = loaded[name];
  if (value === undefined) {
    throw new ConfigError(`SSM parameter ${parameter} has not been loaded (secrets middleware)`);
  }
  return value;
}

export interface JwtKeys {
  /** Signs new tokens and verifies them. */
  current: KeyObject;
  /** Also verifies tokens, until its set time (a key rotation in progress). */
  previous: KeyObject | undefined;
}

const keyObjects = new Map<string, KeyObject>();

/**
 * The secret as a KeyObject, made once. Given a string, jsonwebtoken first tries to read
 * it as a PEM public key and fails, on every sign and verify: a third of a warm request.
 */
function keyObject(secret: string): KeyObject {
  let key = keyObjects.get(secret);
  if (key === undefined) {
    if (keyObjects.size > 4) keyObjects.clear();
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keyObjects.set(secret, key);
  }
  return key;
}

/** The current JWT signing secret: the SSM parameter's value when one is named, else the environment's. */
export function currentJwtSecret(config: Config = getConfig()): string {
  return (
    fromParameter('jwtSecretKey', config.secretParameters.jwtSecretKey) ?? requireJwtSecret(config)
  );
}

/**
 * The JWT keys: the current one, and the previous one while JWT_PREVIOUS_SECRET_KEY_UNTIL
 * has not passed (README, "Rotating the JWT key").
 */
export function jwtKeys(config: Config = getConfig()): JwtKeys {
  const current = currentJwtSecret(config);
  const previous =
    fromParameter('jwtPreviousSecretKey', config.secretParameters.jwtPreviousSecretKey) ??
    config.jwtPreviousSecret.secret;
  const { until } = config.jwtPreviousSecret;
  const previousValid = previous !== undefined && until !== undefined && now() < until;
  return {
    current: keyObject(current),
    previous: previousValid ? keyObject(previous) : undefined,
  };
}

/** The MySQL password: the SSM parameter's value when one is named, else DB_PASSWORD. */
export function databasePassword(db: { password: string }, config: Config = getConfig()): string {
  return fromParameter('dbPassword', config.secretParameters.dbPassword) ?? db.password;
}

/** Checks what the middleware read, so a bad secret fails like a bad environment. */
export function checkLoadedSecrets(secrets: LoadedSecrets): LoadedSecrets {
  if (secrets.jwtSecretKey !== undefined) {
    checkJwtSecret(secrets.jwtSecretKey, 'JWT_SECRET_KEY_PARAMETER');
  }
  if (secrets.jwtPreviousSecretKey !== undefined) {
    checkJwtSecret(secrets.jwtPreviousSecretKey, 'JWT_PREVIOUS_SECRET_KEY_PARAMETER');
  }
  return secrets;
}
