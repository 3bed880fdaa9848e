import jwt from 'jsonwebtoken';
import { handler as profile } from '../../functions/auth/profile';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../lib/auth/tokens';
import { invoke } from '../helpers/invoke';
import { registerUser } from '../helpers/users';

const secret = process.env.JWT_SECRET_KEY ?? '';

/** The session id inside a token the service issued. */
function sessionOf(token: string): string {
  return String((jwt.decode(token) as { sid: string }).sid);
}

/** Signs as the service does (issuer and audience included), unless `options` say otherwise. */
function sign(payload: object, key: string, options: jwt.SignOptions = {}): string {
  return jwt.sign(payload, key, {
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    ...options,
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('GET /api/auth/profile', () => {
  it("returns the caller's own account, email included", async () => {
    const user = await registerUser();
    const response = await invoke(profile, { token: user.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: '获取用户信息成功',
      data: {
        user: {
          id: user.id,
          username: user.username,
          email: user.email,
          created_at: expect.stringMatching(/Z$/),
        },
      },
    });
    expect(response.rawBody).not.toMatch(/password|hash|token_version/);
  });

  it('accepts a hand-signed token with every claim the service issues (control case)', async () => {
    const user = await registerUser();
    const token = sign({ typ: 'access', ver: 0, sid: sessionOf(user.token) }, secret, {
      subject: String(user.id),
      expiresIn: 600,
    });
    expect((await invoke(profile, { token })).status).toBe(200);
  });

  it('accepts the scheme name in any case', async () => {
    const user = await registerUser();
    const response = await invoke(profile, { headers: { authorization: `bearer ${user.token}` } });
    expect(response.status).toBe(200);
  });

  describe('answers 401 UNAUTHORIZED', () => {
    let user: Awaited<ReturnType<typeof registerUser>>;
    let other: Awaited<ReturnType<typeof registerUser>>;
    beforeAll(async () => {
      user = await registerUser();
      other = await registerUser();
    });

    const cases: [string, () => Record<string, string>, string?][] = [
      ['without a token', () => ({}), 'missing_token'],
      ['for an empty bearer', () => ({ authorization: 'Bearer ' }), 'missing_token'],
      ['for another scheme', () => ({ authorization: `Basic ${user.token}` }), 'missing_token'],
      ['for a token without the scheme', () => ({ authorization: user.token }), 'missing_token'],
      ['for garbage', () => ({ authorization: 'Bearer not.a.jwt' })],
      ['for a truncated token', () => ({ authorization: `Bearer ${user.token.slice(0, -4)}` })],
      [
        'for a token signed with another secret',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token) }, 'another-secret-that-is-also-long-enough', { subject: String(user.id), expiresIn: 600 })}`,
        }),
      ],
      [
        'for an expired token',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token), iat: nowSeconds() - 960, exp: nowSeconds() - 60 }, secret, { subject: String(user.id) })}`,
        }),
        'token_expired',
      ],
      [
        'for a token older than the access-token lifetime, whatever its exp says',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token), iat: nowSeconds() - 901, exp: nowSeconds() + 600 }, secret, { subject: String(user.id) })}`,
        }),
        'token_expired',
      ],
      [
        'for a correctly signed token minted with a 10-year exp',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token) }, secret, { subject: String(user.id), expiresIn: '3650d' })}`,
        }),
      ],
      [
        'for a correctly signed token issued in the future',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token), iat: nowSeconds() + 3600, exp: nowSeconds() + 3900 }, secret, { subject: String(user.id) })}`,
        }),
      ],
      [
        'for a correctly signed token without an issuer',
        () => ({
          authorization: `Bearer ${jwt.sign({ typ: 'access', ver: 0, sid: sessionOf(user.token) }, secret, { subject: String(user.id), expiresIn: 600, audience: TOKEN_AUDIENCE })}`,
        }),
      ],
      [
        'for a correctly signed token of another issuer',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token) }, secret, { subject: String(user.id), expiresIn: 600, issuer: 'someone-else' })}`,
        }),
      ],
      [
        'for a correctly signed token for another audience',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token) }, secret, { subject: String(user.id), expiresIn: 600, audience: 'another-api' })}`,
        }),
      ],
      [
        'for an unsigned (alg: none) token',
        () => ({
          authorization: `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ typ: 'access', sid: sessionOf(user.token), sub: String(user.id), ver: 0, exp: Math.floor(Date.now() / 1000) + 600 })}.`,
        }),
      ],
      [
        'for an HS512 token with the right secret',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token) }, secret, { algorithm: 'HS512', subject: String(user.id), expiresIn: 600 })}`,
        }),
      ],
      [
        'for a token of a user that does not exist',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token) }, secret, { subject: '999999999', expiresIn: 600 })}`,
        }),
      ],
      [
        'for a token whose subject is not an id',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token) }, secret, { subject: `${user.id} OR 1=1`, expiresIn: 600 })}`,
        }),
      ],
      [
        'for a token from an older password',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 7, sid: sessionOf(user.token) }, secret, { subject: String(user.id), expiresIn: 600 })}`,
        }),
      ],
      [
        'for a token without a version',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', sid: sessionOf(user.token) }, secret, { subject: String(user.id), expiresIn: 600 })}`,
        }),
      ],
      [
        'for a correctly signed token that never expires',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(user.token) }, secret, { subject: String(user.id) })}`,
        }),
      ],
      [
        'for a correctly signed token of another type',
        () => ({
          authorization: `Bearer ${sign({ typ: 'refresh', ver: 0, sid: sessionOf(user.token) }, secret, { subject: String(user.id), expiresIn: 600 })}`,
        }),
      ],
      [
        'for a token without a session',
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0 }, secret, { subject: String(user.id), expiresIn: 600 })}`,
        }),
      ],
      [
        "for a token naming another user's session",
        () => ({
          authorization: `Bearer ${sign({ typ: 'access', ver: 0, sid: sessionOf(other.token) }, secret, { subject: String(user.id), expiresIn: 600 })}`,
        }),
      ],
    ];

    it.each(cases)('%s', async (_, headers, reason = 'invalid_token') => {
      const response = await invoke(profile, { headers: headers() });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: '未登录或登录已失效', code: 'UNAUTHORIZED', reason });
      // RFC 6750: no error code when no token was sent; otherwise invalid_token.
      expect(response.headers['www-authenticate']).toBe(
        reason === 'missing_token'
          ? 'Bearer realm="chat-backend"'
          : `Bearer realm="chat-backend", error="invalid_token", error_description="${
              reason === 'token_expired'
                ? 'The access token expired'
                : 'The token is invalid, revoked or expired'
            }"`,
      );
    });

    it('says "token_expired" for a token the service issued once its lifetime has passed', async () => {
      const fresh = await registerUser();
      jest.useFakeTimers({ now: Date.now() + 901_000, doNotFake: ['nextTick', 'setImmediate'] });
      try {
        const response = await invoke(profile, { token: fresh.token });
        expect(response.status).toBe(401);
        expect(response.body.reason).toBe('token_expired');
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
