import fc from 'fast-check';
import type { ConnectionRow } from '../../db/schema';
import { AppError } from '../../errors';
import type { WsContext, WsEvent } from '../types';
import { wsConnection } from './ws-connection';

const stored: ConnectionRow = {
  connection_id: 'known-connection=',
  user_id: 7,
  session_id: 3,
  language: 'en',
  connected_at: '2026-01-01 00:00:00.000',
};

/** Runs the middleware for a frame on `connectionId`, with `rows` as the stored connections. */
async function load(connectionId: string, rows: ConnectionRow[] = [stored]) {
  const found: string[] = [];
  const closed: string[] = [];
  const middleware = wsConnection({
    find: async (id) => {
      found.push(id);
      return rows.find((row) => row.connection_id === id);
    },
    close: async (id) => {
      closed.push(id);
    },
  });
  const event = { requestContext: { connectionId } } as WsEvent;
  const context = {} as WsContext;
  const request = { event, context, internal: {} } as unknown as Parameters<
    NonNullable<typeof middleware.before>
  >[0];
  try {
    await middleware.before?.(request);
    return { event, context, found, closed, error: undefined };
  } catch (error) {
    return { event, context, found, closed, error };
  }
}

describe('wsConnection', () => {
  it('puts the stored connection on the event and its language on the context', async () => {
    const result = await load('known-connection=');
    expect(result.error).toBeUndefined();
    expect(result.found).toEqual(['known-connection=']);
    expect(result.event.connection).toEqual(stored);
    expect(result.context.preferredLanguage).toBe('en');
    expect(result.closed).toEqual([]);
  });

  it('keeps a Chinese connection Chinese', async () => {
    const zh = { ...stored, connection_id: 'zh-connection', language: 'zh' };
    const result = await load('zh-connection', [zh]);
    expect(result.context.preferredLanguage).toBe('zh');
  });

  it('refuses a frame from a connection that is not stored, and closes that connection', async () => {
    const result = await load('evicted-connection');
    expect(result.error).toBeInstanceOf(AppError);
    expect((result.error as AppError).code).toBe('UNAUTHORIZED');
    expect(result.closed).toEqual(['evicted-connection']);
    expect(result.event.connection).toBeUndefined();
    expect(result.context.preferredLanguage).toBeUndefined();
  });

  it('lets a database failure through unchanged, closing nothing', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const closed: string[] = [];
    const middleware = wsConnection({
      find: async () => {
        throw down;
      },
      close: async (id) => {
        closed.push(id);
      },
    });
    const request = {
      event: { requestContext: { connectionId: 'c' } } as WsEvent,
      context: {} as WsContext,
    } as unknown as Parameters<NonNullable<typeof middleware.before>>[0];
    await expect(middleware.before?.(request)).rejects.toBe(down);
    expect(closed).toEqual([]);
  });

  it('never takes one connection for another (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), async (connectionId) => {
        const result = await load(connectionId);
        expect(result.found).toEqual([connectionId]);
        if (connectionId === stored.connection_id) {
          expect(result.event.connection).toEqual(stored);
        } else {
          expect((result.error as AppError).code).toBe('UNAUTHORIZED');
          expect(result.closed).toEqual([connectionId]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
