import fc from 'fast-check';
import { DatabaseUnavailableError } from '../../db/errors';
import { AppError, errorStatus, type ErrorCode } from '../../errors';
import { errorTexts } from '../../http/messages';
import { logger } from '../../logger';
import type { WsContext, WsEvent, WsResult } from '../types';
import { frameResult, wsResponse } from './ws-response';

type Request = Parameters<NonNullable<ReturnType<typeof wsResponse>['onError']>>[0];

function request(options: { error?: unknown; response?: WsResult; language?: string }): Request {
  return {
    event: { requestContext: { connectionId: 'c1' } } as WsEvent,
    context: { preferredLanguage: options.language } as WsContext,
    response: options.response,
    error: options.error,
    internal: {},
  } as unknown as Request;
}

/** Runs onError and returns the frame it answers with. */
function errorFrame(error: unknown, language?: string) {
  const req = request({ error, language });
  void wsResponse().onError?.(req);
  expect(req.response?.statusCode).toBe(200);
  expect(typeof req.response?.body).toBe('string');
  return JSON.parse(req.response?.body ?? 'null');
}

describe('frameResult', () => {
  it('sends a frame as the route response, or nothing', () => {
    expect(frameResult({ type: 'pong', data: {} })).toEqual({
      statusCode: 200,
      body: '{"type":"pong","data":{}}',
    });
    expect(frameResult(undefined)).toEqual({ statusCode: 200 });
  });
});

describe('wsResponse', () => {
  it('answers 200 without a frame when the handler returned nothing', () => {
    const req = request({});
    void wsResponse().after?.(req);
    expect(req.response).toEqual({ statusCode: 200 });
  });

  it("keeps the handler's frame", () => {
    const response = { statusCode: 200, body: '{"type":"pong","data":{}}' };
    const req = request({ response });
    void wsResponse().after?.(req);
    expect(req.response).toBe(response);
  });

  it('turns a domain error into an error frame with its code and Chinese text', () => {
    expect(errorFrame(new AppError('NOT_FRIENDS'))).toEqual({
      type: 'error',
      data: { code: 'NOT_FRIENDS', error: '对方不是你的好友' },
    });
  });

  it("speaks the connection's language and keeps validation details", () => {
    const details = [{ field: 'state', message: 'must be one of: start, stop' }];
    expect(errorFrame(new AppError('VALIDATION_ERROR', details), 'en')).toEqual({
      type: 'error',
      data: { code: 'VALIDATION_ERROR', error: 'The request is invalid', details },
    });
  });

  it('answers SERVICE_UNAVAILABLE when the database is down', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), {
      code: 'ECONNREFUSED',
    });
    expect(errorFrame(down, 'en')).toEqual({
      type: 'error',
      data: {
        code: 'SERVICE_UNAVAILABLE',
        error: 'The service is temporarily unavailable, please retry later',
      },
    });
    expect(errorFrame(new DatabaseUnavailableError('cannot open')).data.code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });

  it('never sends what an internal error says, but logs it', () => {
    const spy = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const leak = new Error("SELECT password_hash FROM users WHERE username = 'x'");
      const frame = errorFrame(leak);
      expect(frame).toEqual({
        type: 'error',
        data: { code: 'INTERNAL_ERROR', error: '服务器内部错误' },
      });
      expect(JSON.stringify(frame)).not.toContain('password_hash');
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]?.[0]).toBe('INTERNAL_ERROR');
    } finally {
      spy.mockRestore();
    }
  });

  it('does not log refusals', () => {
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      errorFrame(new AppError('UNAUTHORIZED'));
      errorFrame(new AppError('INVALID_JSON'));
      expect(error).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      error.mockRestore();
      warn.mockRestore();
    }
  });

  it('answers every domain code as a 200 error frame (fuzz)', () => {
    const spy = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      fc.assert(
        fc.property(
          fc.constantFrom(...(Object.keys(errorStatus) as ErrorCode[])),
          fc.constantFrom(undefined, 'zh', 'en', 'de', ''),
          (code, language) => {
            const frame = errorFrame(new AppError(code), language);
            const text = errorTexts[code][language === 'en' ? 'en' : 'zh'];
            // UNAUTHORIZED also says why (here the default: sign in again).
            const reason = code === 'UNAUTHORIZED' ? { reason: 'invalid_token' } : {};
            expect(frame).toEqual({ type: 'error', data: { code, error: text, ...reason } });
          },
        ),
      );
    } finally {
      spy.mockRestore();
    }
  });
});
