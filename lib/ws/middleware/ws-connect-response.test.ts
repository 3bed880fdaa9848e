import { DatabaseUnavailableError } from '../../db/errors';
import { AppError } from '../../errors';
import { logger } from '../../logger';
import type { WsContext, WsEvent, WsResult } from '../types';
import { wsConnectResponse } from './ws-connect-response';

type Request = Parameters<NonNullable<ReturnType<typeof wsConnectResponse>['onError']>>[0];

function request(options: { error?: unknown; response?: WsResult; language?: string }): Request {
  return {
    event: { requestContext: { connectionId: 'c1', routeKey: '$connect' } } as WsEvent,
    context: { preferredLanguage: options.language } as WsContext,
    response: options.response,
    error: options.error,
    internal: {},
  } as unknown as Request;
}

/** Runs onError; returns the handshake's status and its parsed body. */
function refuse(error: unknown, language?: string) {
  const req = request({ error, language });
  void wsConnectResponse().onError?.(req);
  return {
    status: req.response?.statusCode,
    ...(req.response?.headers ? { headers: req.response.headers } : {}),
    body: JSON.parse(req.response?.body ?? 'null'),
  };
}

describe('wsConnectResponse', () => {
  it('lets the handshake through with 200 when the handler answered nothing', () => {
    const req = request({});
    void wsConnectResponse().after?.(req);
    expect(req.response).toEqual({ statusCode: 200 });
  });

  it("keeps the handler's own answer", () => {
    const response = { statusCode: 200, body: 'hello' };
    const req = request({ response });
    void wsConnectResponse().after?.(req);
    expect(req.response).toBe(response);
  });

  it('refuses a bad token with 401, a Bearer challenge and the contract body, in Chinese by default', () => {
    expect(refuse(new AppError('UNAUTHORIZED'))).toEqual({
      status: 401,
      headers: {
        'WWW-Authenticate':
          'Bearer realm="chat-backend", error="invalid_token", error_description="The token is invalid, revoked or expired"',
      },
      body: { error: '未登录或登录已失效', code: 'UNAUTHORIZED', reason: 'invalid_token' },
    });
  });

  it('says when the token merely expired, and challenges a missing one without an error code', () => {
    expect(refuse(new AppError('UNAUTHORIZED', undefined, { reason: 'token_expired' }))).toEqual({
      status: 401,
      headers: {
        'WWW-Authenticate':
          'Bearer realm="chat-backend", error="invalid_token", error_description="The access token expired"',
      },
      body: { error: '未登录或登录已失效', code: 'UNAUTHORIZED', reason: 'token_expired' },
    });
    expect(refuse(new AppError('UNAUTHORIZED', undefined, { reason: 'missing_token' }))).toEqual({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="chat-backend"' },
      body: { error: '未登录或登录已失效', code: 'UNAUTHORIZED', reason: 'missing_token' },
    });
  });

  it('speaks English when the handshake asked for it', () => {
    expect(refuse(new AppError('UNAUTHORIZED'), 'en').body).toEqual({
      error: 'Missing, invalid or expired access token',
      code: 'UNAUTHORIZED',
      reason: 'invalid_token',
    });
  });

  it('refuses with 503 when the database is down', () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      expect(refuse(down)).toEqual({
        status: 503,
        body: { error: '服务暂时不可用，请稍后再试', code: 'SERVICE_UNAVAILABLE' },
      });
      expect(refuse(new DatabaseUnavailableError('cannot open')).status).toBe(503);
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses with 500 on a bug, saying nothing about it but logging it', () => {
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const refused = refuse(new TypeError("Cannot read properties of undefined (reading 'id')"));
      expect(refused).toEqual({
        status: 500,
        body: { error: '服务器内部错误', code: 'INTERNAL_ERROR' },
      });
      expect(error).toHaveBeenCalledTimes(1);
    } finally {
      error.mockRestore();
    }
  });

  it('never answers a thrown error with a 2xx', () => {
    for (const thrown of [new Error('x'), 'a string', undefined, null, { code: 42 }]) {
      const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
      try {
        expect(refuse(thrown).status).toBeGreaterThanOrEqual(400);
      } finally {
        error.mockRestore();
      }
    }
  });
});
