import { createError } from '@middy/util';
import { AppError } from '../../errors';
import { DatabaseUnavailableError } from '../../db/errors';
import { errorMapper, toAppError } from './error-mapper';
import type { HttpContext, HttpEvent } from '../types';

describe('toAppError', () => {
  it('keeps domain errors as they are', () => {
    const error = new AppError('ALREADY_FRIENDS');
    expect(toAppError(error)).toBe(error);
  });

  it('tells a wrong content type from malformed JSON', () => {
    const cause = { package: '@middy/http-json-body-parser' };
    expect(toAppError(createError(415, 'Unsupported Media Type', { cause })).code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(
      toAppError(createError(415, 'Invalid or malformed JSON was provided', { cause })).code,
    ).toBe('INVALID_JSON');
  });

  it.each([
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('gone'), { code: 'PROTOCOL_CONNECTION_LOST' }),
    Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
    new DatabaseUnavailableError('cannot open'),
  ])('maps an unreachable database to SERVICE_UNAVAILABLE (%s)', (error) => {
    expect(toAppError(error).code).toBe('SERVICE_UNAVAILABLE');
  });

  it.each([new TypeError('x is undefined'), 'a string', undefined, { code: 'ER_PARSE_ERROR' }])(
    'maps anything else to INTERNAL_ERROR (%p)',
    (error) => {
      expect(toAppError(error).code).toBe('INTERNAL_ERROR');
    },
  );
});

describe('errorMapper', () => {
  function map(error: unknown, preferredLanguage?: string) {
    const middleware = errorMapper();
    const request = {
      event: {} as HttpEvent,
      context: { preferredLanguage } as HttpContext,
      error,
      response: undefined,
      internal: {},
    } as unknown as Parameters<NonNullable<typeof middleware.onError>>[0];
    void middleware.onError?.(request);
    return request.error as Error & { statusCode: number; expose: boolean };
  }

  it('renders the contract body, localized, as an exposed HTTP error', () => {
    const mapped = map(new AppError('VALIDATION_ERROR', [{ field: 'x', message: 'm' }]), 'en');
    expect(mapped.statusCode).toBe(400);
    expect(mapped.expose).toBe(true);
    expect(JSON.parse(mapped.message)).toEqual({
      error: 'The request is invalid',
      code: 'VALIDATION_ERROR',
      details: [{ field: 'x', message: 'm' }],
    });
  });

  it('never returns what an internal error says', () => {
    const mapped = map(new Error("SELECT * FROM users WHERE password_hash = '$2a$10$...'"));
    expect(mapped.statusCode).toBe(500);
    expect(JSON.parse(mapped.message)).toEqual({ error: '服务器内部错误', code: 'INTERNAL_ERROR' });
  });
});

describe('toAppError with a failed connection', () => {
  it('treats any fatal mysql2 error as the database being unavailable', () => {
    const closed = Object.assign(
      new Error("Can't add new command when connection is in closed state"),
      { fatal: true },
    );
    expect(toAppError(closed).code).toBe('SERVICE_UNAVAILABLE');
  });
});
