import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { getConfig, requireJwtSecret } from '../config';

/** What the API returns on login, register and change_password. */
export interface AccessToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface AccessTokenClaims {
  userId: number;
  /** The user's token_version when the token was issued. */
  tokenVersion: number;
}

const ALGORITHM = 'HS256';
/** Marks access tokens, so no other token this service signs can pass for one. */
const ACCESS_TOKEN_TYPE = 'access';

export function issueAccessToken(userId: number, tokenVersion: number): AccessToken {
  const { accessTokenTtlSeconds } = getConfig();
  const token = jwt.sign({ typ: ACCESS_TOKEN_TYPE, ver: tokenVersion }, requireJwtSecret(), {
    algorithm: ALGORITHM,
    subject: String(userId),
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
  const secret = requireJwtSecret();
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secret, { algorithms: [ALGORITHM] });
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object') return undefined;
  const { sub, ver, typ, exp } = payload as Record<string, unknown>;
  // jsonwebtoken accepts a token without `exp` as never expiring: ours always have one.
  if (typ !== ACCESS_TOKEN_TYPE || typeof exp !== 'number') return undefined;
  if (typeof sub !== 'string' || !/^[1-9]\d{0,15}$/.test(sub)) return undefined;
  if (typeof ver !== 'number' || !Number.isSafeInteger(ver) || ver < 0) return undefined;
  return { userId: Number(sub), tokenVersion: ver };
}
