import fc from 'fast-check';
import type { UserRow } from '../../db/schema';
import { AppError } from '../../errors';
import type { WsContext, WsEvent } from '../types';
import { wsTokenAuth } from './ws-token-auth';

const user: UserRow = {
  id: 7,
  username: 'seven',
  username_key: 'seven',
  username_skeleton: 'seven',
  skeleton_tiebreak: 0,
  email: 'seven@example.com',
  password_hash: 'hash',
  token_version: 0,
  created_at: '2026-01-01 00:00:00.000',
  updated_at: '2026-01-01 00:00:00.000',
  friend_count: 0,
};
const GOOD = 'good.token.here';

/** The handshake as the middleware sees it (headers already normalized to lower case). */
interface Handshake {
  query?: Record<string, string | undefined> | null;
  headers?: Record<string, string | undefined>;
}

async function connectWith({ query, headers }: Handshake) {
  const seen: string[] = [];
  const middleware = wsTokenAuth({
    authenticate: async (token: string) => {
      seen.push(token);
      if (token !== GOOD) throw new AppError('UNAUTHORIZED');
      return { user, sessionId: 3 };
    },
  });
  const event = {
    requestContext: { connectionId: 'c1', routeKey: '$connect' },
    queryStringParameters: query,
    headers,
  } as WsEvent;
  const request = { event, context: {} as WsContext, internal: {} } as unknown as Parameters<
    NonNullable<typeof middleware.before>
  >[0];
  try {
    await middleware.before?.(request);
    return { auth: event.auth, seen, error: undefined };
  } catch (error) {
    return { auth: event.auth, seen, error };
  }
}

function expectUnauthorized(result: Awaited<ReturnType<typeof connectWith>>) {
  expect(result.error).toBeInstanceOf(AppError);
  expect((result.error as AppError).code).toBe('UNAUTHORIZED');
  expect(result.auth).toBeUndefined();
}

describe('wsTokenAuth', () => {
  it('takes the token from ?token=', async () => {
    expect(await connectWith({ query: { token: GOOD }, headers: {} })).toEqual({
      auth: { user, sessionId: 3 },
      seen: [GOOD],
      error: undefined,
    });
  });

  it('takes the token from an Authorization: Bearer header', async () => {
    expect(await connectWith({ headers: { authorization: `Bearer ${GOOD}` } })).toEqual({
      auth: { user, sessionId: 3 },
      seen: [GOOD],
      error: undefined,
    });
    expect((await connectWith({ headers: { authorization: `bearer  ${GOOD} ` } })).auth).toEqual({
      user,
      sessionId: 3,
    });
  });

  it('prefers the query token when both are given', async () => {
    const result = await connectWith({
      query: { token: 'query.token.x' },
      headers: { authorization: `Bearer ${GOOD}` },
    });
    expect(result.seen).toEqual(['query.token.x']);
    expectUnauthorized(result);
  });

  it.each<[string, Handshake]>([
    ['no query and no headers', {}],
    ['a null query string (API Gateway sends null)', { query: null, headers: {} }],
    ['other query parameters only', { query: { access_token: GOOD }, headers: {} }],
    ['an empty ?token=', { query: { token: '' } }],
    ['a token with a space', { query: { token: 'good token' } }],
    ['a token with other characters', { query: { token: 'good.token.here!' } }],
    ['a token of non-ASCII letters', { query: { token: 'gööd.tökén' } }],
    ['a token over 4 KiB', { query: { token: 'a'.repeat(4097) } }],
    ['a Basic header', { headers: { authorization: `Basic ${GOOD}` } }],
    ['a bare header token', { headers: { authorization: GOOD } }],
    ['an empty Bearer header', { headers: { authorization: 'Bearer ' } }],
    ['two Bearer tokens', { headers: { authorization: `Bearer ${GOOD} ${GOOD}` } }],
  ])('refuses %s without looking a token up', async (_, handshake) => {
    const result = await connectWith(handshake);
    expectUnauthorized(result);
    expect(result.seen).toEqual([]);
  });

  it('passes a well-formed token of up to 4 KiB to the check, which decides', async () => {
    const long = 'a.b-c_D'.repeat(585).slice(0, 4096);
    const result = await connectWith({ query: { token: long } });
    expect(result.seen).toEqual([long]);
    expectUnauthorized(result);
  });

  it("lets the check's own error through (a revoked login, a database that is down)", async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const middleware = wsTokenAuth({
      authenticate: async () => {
        throw down;
      },
    });
    const request = {
      event: { queryStringParameters: { token: GOOD } } as unknown as WsEvent,
      context: {} as WsContext,
    } as unknown as Parameters<NonNullable<typeof middleware.before>>[0];
    await expect(middleware.before?.(request)).rejects.toBe(down);
  });

  describe('fuzz: arbitrary query and header values are UNAUTHORIZED or the check result', () => {
    const runs = Number(process.env.FUZZ_RUNS ?? 1000);
    const value = fc.oneof(
      fc.constant(undefined),
      fc.constant(GOOD),
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.stringMatching(/^[A-Za-z0-9._-]{0,40}$/),
      fc.constantFrom('', ' ', `${GOOD} `, ` ${GOOD}`, `${GOOD}\n`, `${GOOD}=`, `${GOOD},x`),
    );
    const header = fc.oneof(
      fc.constant(undefined),
      value.map((token) => (token === undefined ? undefined : `Bearer ${token}`)),
      fc.string({ maxLength: 80 }),
      fc
        .tuple(
          fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', ''),
          fc.constantFrom(' ', '  ', '\t', ''),
          value,
        )
        .map(([scheme, space, token]) => `${scheme}${space}${token ?? ''}`),
    );

    it('never lets anything but the good token through', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.option(fc.dictionary(fc.constantFrom('token', 'Token', 'x'), value), { nil: null }),
          fc.dictionary(fc.constantFrom('authorization', 'x-token'), header),
          async (query, headers) => {
            const result = await connectWith({ query, headers });
            // Only strings that look like a token ever reach the check.
            for (const token of result.seen) expect(token).toMatch(/^[A-Za-z0-9._-]{1,4096}$/);
            expect(result.seen.length).toBeLessThanOrEqual(1);
            if (result.error === undefined) {
              expect(result.seen).toEqual([GOOD]);
              expect(result.auth).toEqual({ user, sessionId: 3 });
            } else {
              expectUnauthorized(result);
            }
            // The query token, when present, is the one used.
            const queryToken = query?.token;
            if (queryToken !== undefined && result.seen.length === 1) {
              expect(result.seen).toEqual([queryToken]);
            }
          },
        ),
        { numRuns: runs },
      );
    });
  });
});
