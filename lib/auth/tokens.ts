import { createHash, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AccessToken } from '../api/schemas';
import { getConfig } from '../config';
import { jwtKeys } from '../secrets';

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
const ID_PATTERN = /^[1-9]\d{0,15}$/;

/** The key new tokens are signed with (lib/secrets: from the environment or SSM). */
export function jwtKey(): KeyObject {
  return jwtKeys().current;
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
    subject: String(claims.userId),
    expiresIn: accessTokenTtlSeconds,
    jwtid: randomUUID(),
  });
  return { access_token: token, token_type: 'Bearer', expires_in: accessTokenTtlSeconds };
}

/**
 * The claims of a well-formed, correctly signed, unexpired access token; undefined for
 * anything else. Only HS256 is accepted, so `alg: none` and key-confusion tokens fail.
 */
export function readAccessToken(token: string): AccessTokenClaims | undefined {
  // During a key rotation, tokens signed with the previous key stay valid for a set time.
  const { current, previous } = jwtKeys();
  let payload: string | jwt.JwtPayload | undefined;
  for (const secret of previous ? [current, previous] : [current]) {
    try {
      payload = jwt.verify(token, secret, { algorithms: [ALGORITHM] });
      break;
    } catch {
      payload = undefined;
    }
  }
  if (payload === undefined) return undefined;
  if (typeof payload !== 'object') return undefined;
  const { sub, ver, sid, typ, exp } = payload as Record<string, unknown>;
  // jsonwebtoken accepts a token without `exp` as never expiring: ours always have one.
  if (typ !== ACCESS_TOKEN_TYPE || typeof exp !== 'number') return undefined;
  if (typeof sub !== 'string' || !ID_PATTERN.test(sub)) return undefined;
  if (typeof sid !== 'string' || !ID_PATTERN.test(sid)) return undefined;
  if (typeof ver !== 'number' || !Number.isSafeInteger(ver) || ver < 0) return undefined;
  return { userId: Number(sub), tokenVersion: ver, sessionId: Number(sid) };
}

/** A new refresh token: 256 random bits, URL-safe. Only its hash is ever stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
