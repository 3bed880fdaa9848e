import { createHash, createHmac, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AccessToken } from '../api/schemas';
import { getConfig } from '../config';
import { currentJwtSecret, jwtKeys } from '../secrets';

/** What the API returns with every new access token. */
export type { AccessToken } from '../api/schemas';

export interface AccessTokenClaims {
  userId: number;
  /** The user's token_version when the token was issued. */
  tokenVersion: number;
  /** The login (session) the token belongs to. */
  sessionId: number;
}

const ALGORITHM = 'HS256';
/** Marks access tokens, so no other token this service signs can pass for one. */
const ACCESS_TOKEN_TYPE = 'access';
/** Who signs access tokens (`iss`) and who accepts them (`aud`): checked on every token. */
export const TOKEN_ISSUER = 'chat-backend';
export const TOKEN_AUDIENCE = 'chat-backend-api';
/** How far a token's `iat` may lie in the future (clocks of two instances differ a little). */
const CLOCK_SKEW_SECONDS = 60;
const ID_PATTERN = /^[1-9]\d{0,15}$/;

/** The key new tokens are signed with (lib/secrets: from the environment or SSM). */
export function jwtKey(): KeyObject {
  return jwtKeys().current;
}

let derived: { secret: string; keys: Map<string, Buffer> } | undefined;

/**
 * A key of its own for `purpose`, derived from the current signing secret (HMAC-SHA256 of
 * the purpose), so no other use of it can produce a value that verifies as a token.
 */
export function derivedKey(purpose: string): Buffer {
  const secret = currentJwtSecret();
  if (derived?.secret !== secret) derived = { secret, keys: new Map() };
  let key = derived.keys.get(purpose);
  if (!key) {
    key = createHmac('sha256', secret).update(`chat-backend:${purpose}`, 'utf8').digest();
    derived.keys.set(purpose, key);
  }
  return key;
}

export function issueAccessToken(claims: AccessTokenClaims): AccessToken {
  const { accessTokenTtlSeconds } = getConfig();
  const payload = {
    typ: ACCESS_TOKEN_TYPE,
    ver: claims.tokenVersion,
    sid: String(claims.sessionId),
  };
  const token = jwt.sign(payload, jwtKey(), {
    algorithm: ALGORITHM,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    subject: String(claims.userId),
    expiresIn: accessTokenTtlSeconds,
    jwtid: randomUUID(),
  });
  return { access_token: token, token_type: 'Bearer', expires_in: accessTokenTtlSeconds };
}

/** Why an access token is refused: `token_expired` means refresh it; anything else, sign in again. */
export type TokenProblem = 'token_expired' | 'invalid_token';

export type ReadAccessToken =
  | { claims: AccessTokenClaims; problem?: undefined }
  | { claims?: undefined; problem: TokenProblem };

/**
 * The claims of a well-formed, correctly signed, unexpired access token of this service;
 * otherwise why not. Only HS256 is accepted, so `alg: none` and key-confusion tokens fail.
 * A token must name our issuer and audience and may live at most the configured lifetime
 * (`maxAge` from its `iat`, and `exp` no later than that): one minted with a distant `exp`
 * is refused even with the right key.
 */
export function readAccessToken(token: string): ReadAccessToken {
  const lifetime = getConfig().accessTokenTtlSeconds;
  // During a key rotation, tokens signed with the previous key stay valid for a set time.
  const { current, previous } = jwtKeys();
  let payload: string | jwt.JwtPayload | undefined;
  let problem: TokenProblem = 'invalid_token';
  for (const key of previous ? [current, previous] : [current]) {
    try {
      payload = jwt.verify(token, key, {
        algorithms: [ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        maxAge: lifetime,
      });
      break;
    } catch (error) {
      // Signature, issuer and audience are checked before expiry: an expired token is ours.
      if (error instanceof jwt.TokenExpiredError) {
        problem = 'token_expired';
        break;
      }
    }
  }
  if (payload === undefined) return { problem };
  const invalid = { problem: 'invalid_token' } as const;
  if (typeof payload !== 'object') return invalid;
  const { sub, ver, sid, typ, exp, iat } = payload as Record<string, unknown>;
  // jsonwebtoken accepts a token without `exp` as never expiring: ours always have one.
  if (typ !== ACCESS_TOKEN_TYPE || typeof exp !== 'number' || typeof iat !== 'number') {
    return invalid;
  }
  if (exp - iat > lifetime || iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) return invalid;
  if (typeof sub !== 'string' || !ID_PATTERN.test(sub)) return invalid;
  if (typeof sid !== 'string' || !ID_PATTERN.test(sid)) return invalid;
  if (typeof ver !== 'number' || !Number.isSafeInteger(ver) || ver < 0) return invalid;
  return { claims: { userId: Number(sub), tokenVersion: ver, sessionId: Number(sid) } };
}

/** A new refresh token: 256 random bits, URL-safe. Only its hash is ever stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
