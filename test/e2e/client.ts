import { startOffline, type OfflineApi } from './offline';

export interface Call {
  method?: string;
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions narrow it
  body: any;
  headers: Headers;
  text: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- how Jest's matchers are typed
  namespace jest {
    interface Matchers<R> {
      /** The answer has this HTTP status; a failure shows the status and body it got. */
      toHaveStatus(status: number): R;
      /** This status, and a body containing `body` (as toMatchObject); a failure shows the body. */
      toAnswer(status: number, body: Record<string, unknown>): R;
      /** A status below `limit` (e.g. no 5xx); a failure shows the body. */
      toHaveStatusBelow(limit: number): R;
    }
  }
}

/** What came back, for a failure message: status, type and body as received. */
function shown(received: CallResult | Response): string {
  const type = received.headers.get('content-type') ?? '';
  // A raw fetch Response (documents, binary files) has not read its body.
  const text = typeof received.text === 'string' ? received.text : '(body not read)';
  return `${received.status} ${type}:\n${text}`;
}

/**
 * Status assertions that show the body that came back when they fail, e.g.
 * serverless-offline's `{"errorMessage": "[504] - Lambda timeout."}` behind a 200, not only
 * two numbers: `expect(response).toHaveStatus(201)`, `.toAnswer(403, { code: 'BLOCKED' })`.
 */
expect.extend({
  toHaveStatus(received: CallResult | Response, status: number) {
    const pass = received.status === status;
    return {
      pass,
      message: () => `expected HTTP ${pass ? 'not ' : ''}${status}, got ${shown(received)}`,
    };
  },
  toAnswer(received: CallResult, status: number, body: Record<string, unknown>) {
    const pass =
      received.status === status && this.equals(received.body, expect.objectContaining(body));
    return {
      pass,
      message: () =>
        `expected HTTP ${pass ? 'not ' : ''}${status} with ${this.utils.printExpected(
          body,
        )}, got ${shown(received)}`,
    };
  },
  toHaveStatusBelow(received: CallResult, limit: number) {
    const pass = received.status < limit;
    return {
      pass,
      message: () => `expected HTTP ${pass ? 'not ' : ''}below ${limit}, got ${shown(received)}`,
    };
  },
});

/** One HTTP request to the offline API, the JSON answer parsed. */
export async function call(api: OfflineApi, path: string, options: Call = {}): Promise<CallResult> {
  const { method, body, rawBody, token, headers = {} } = options;
  const response = await fetch(`${api.baseUrl}${path}`, {
    method: method ?? (body === undefined && rawBody === undefined ? 'GET' : 'POST'),
    headers: {
      // No pooled keep-alive sockets left behind when the suite ends.
      connection: 'close',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, body: json, headers: response.headers, text };
}

/** Registers a user over HTTP; returns its id, name and token. */
export async function signUp(api: OfflineApi, username: string) {
  const response = await call(api, '/api/auth/register', {
    body: {
      username,
      email: `${username.replace(/[^a-z0-9]/gi, '')}${Date.now()}@example.com`,
      password: 'a fine password',
    },
  });
  if (response.status !== 201)
    throw new Error(`register ${username}: ${response.status} ${response.text}`);
  return {
    id: response.body.data.user.id as number,
    username,
    token: response.body.data.access_token as string,
  };
}

/**
 * Starts a serverless-offline instance for the calling test file (stopped after it) and
 * returns a `call` bound to it.
 */
export function useOfflineApi(
  extraEnv: Record<string, string> | (() => Record<string, string>) = {},
): {
  api: () => OfflineApi;
  call: (path: string, options?: Call) => Promise<CallResult>;
} {
  let api: OfflineApi | undefined;
  jest.setTimeout(120_000);
  beforeAll(async () => {
    api = await startOffline(typeof extraEnv === 'function' ? extraEnv() : extraEnv);
  });
  afterAll(async () => {
    await api?.stop();
  });
  const current = () => {
    if (!api) throw new Error('serverless-offline is not running');
    return api;
  };
  return { api: current, call: (path, options) => call(current(), path, options) };
}
