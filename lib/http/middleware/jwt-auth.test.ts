import fc from 'fast-check';
import { AppError } from '../../errors';
import type { UserRow } from '../../db/schema';
import { jwtAuth } from './jwt-auth';
import type { HttpEvent } from '../types';

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

async function authenticateWith(authorization: string | undefined) {
  const seen: string[] = [];
  const middleware = jwtAuth({
    authenticate: async (token: string) => {
      seen.push(token);
      if (token !== 'good.token.here') throw new AppError('UNAUTHORIZED');
      return { user, sessionId: 3 };
    },
  });
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.authorization = authorization;
  const event = { headers } as unknown as HttpEvent;
  const request = { event } as Parameters<NonNullable<typeof middleware.before>>[0];
  try {
    await middleware.before?.(request);
    return { user: event.auth?.user, sessionId: event.auth?.sessionId, seen };
  } catch (error) {
    return { error, seen };
  }
}

describe('jwtAuth', () => {
  it('puts the authenticated user on the event', async () => {
    expect(await authenticateWith('Bearer good.token.here')).toEqual({
      user,
      sessionId: 3,
      seen: ['good.token.here'],
    });
    expect((await authenticateWith('bearer   good.token.here ')).user).toBe(user);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'good.token.here', 'Bearer a b'])(
    'refuses %j without looking the token up',
    async (header) => {
      const result = await authenticateWith(header);
      expect(result.error).toBeInstanceOf(AppError);
      expect((result.error as AppError).code).toBe('UNAUTHORIZED');
      expect(result.seen).toEqual([]);
    },
  );

  it('never lets an arbitrary header through (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (header) => {
        const result = await authenticateWith(header);
        if (header.trim() === '' || !/^bearer[ \t]+good\.token\.here[ \t]*$/i.test(header)) {
          expect((result.error as AppError).code).toBe('UNAUTHORIZED');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
