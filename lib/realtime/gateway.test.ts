import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as thisContainer from './gateway';
import { connectionGateway, isGone, useConnectionGateway, type ConnectionGateway } from './gateway';

/** A gateway stand-in that does nothing. */
function stubGateway(): ConnectionGateway {
  return { post: async () => 'sent', close: async () => 'closed' };
}

describe('isGone', () => {
  it.each([
    ['a 410 from the management API', { $metadata: { httpStatusCode: 410 } }],
    ['a GoneException', Object.assign(new Error('gone'), { name: 'GoneException' })],
    [
      'serverless-offline’s 410, named Unknown',
      Object.assign(new Error('UnknownError'), {
        name: 'Unknown',
        $metadata: { httpStatusCode: 410 },
      }),
    ],
  ])('is true for %s', (_, error) => {
    expect(isGone(error)).toBe(true);
  });

  it.each([
    ['a 404', { $metadata: { httpStatusCode: 404 } }],
    ['a 500', { $metadata: { httpStatusCode: 500 } }],
    ['a 410 as a string', { $metadata: { httpStatusCode: '410' } }],
    [
      'a 429 ThrottlingException',
      { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } },
    ],
    ['a ForbiddenException', Object.assign(new Error('x'), { name: 'ForbiddenException' })],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' })],
    ['no metadata', {}],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'GoneException'],
    ['a number', 410],
  ])('is false for %s', (_, error) => {
    expect(isGone(error)).toBe(false);
  });
});

describe('connectionGateway', () => {
  afterEach(() => useConnectionGateway(undefined));

  it('is undefined when no WEBSOCKET_API_ENDPOINT is configured (nothing is pushed)', () => {
    expect(process.env.WEBSOCKET_API_ENDPOINT).toBeUndefined();
    expect(connectionGateway()).toBeUndefined();
  });

  it('is the replacement while one is installed, and is restored after', () => {
    const first = stubGateway();
    const second = stubGateway();
    useConnectionGateway(first);
    expect(connectionGateway()).toBe(first);
    useConnectionGateway(second);
    expect(connectionGateway()).toBe(second);
    useConnectionGateway(undefined);
    expect(connectionGateway()).toBeUndefined();
  });
});

describe('the management API gateway (WEBSOCKET_API_ENDPOINT set)', () => {
  interface Seen {
    method: string;
    url: string;
    body: string;
  }
  const seen: Seen[] = [];
  let server: Server;
  let endpoint: string;
  let gatewayModule: typeof thisContainer;

  /** Answers like the management API: 200; 410 for "gone-*" ids, 500 for "broken-*"; "hang-*" never. */
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const url = request.url ?? '';
        seen.push({ method: request.method ?? '', url, body });
        const id = decodeURIComponent(url.split('/').pop() ?? '');
        if (id.startsWith('hang-')) return; // never answers
        response.statusCode = id.startsWith('gone-') ? 410 : id.startsWith('broken-') ? 500 : 200;
        response.setHeader('content-type', 'application/json');
        response.end(response.statusCode === 200 ? '' : '{"message":"nope"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // A container of its own, configured with the endpoint (as serverless-offline runs it).
    const saved = { ...process.env };
    Object.assign(process.env, { WEBSOCKET_API_ENDPOINT: `${endpoint}/`, IS_OFFLINE: 'true' });
    try {
      jest.isolateModules(() => {
        /* eslint-disable @typescript-eslint/no-require-imports -- loaded under the env above */
        gatewayModule = require('./gateway');
        // The configuration is read once per container: read it while the env is set.
        require('../config').getConfig();
        /* eslint-enable @typescript-eslint/no-require-imports */
      });
    } finally {
      process.env = saved;
    }
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  function sdkGateway(): ConnectionGateway {
    const gateway = gatewayModule.connectionGateway();
    if (!gateway) throw new Error('no gateway with WEBSOCKET_API_ENDPOINT set');
    return gateway;
  }

  it('is one SDK-backed gateway per container', () => {
    expect(sdkGateway()).toBe(sdkGateway());
  });

  it('posts a frame to @connections/{id}', async () => {
    const frame = JSON.stringify({ type: 'typing', data: { from: 1, state: 'start' } });
    const outcome = await sdkGateway().post('abc=', frame, new AbortController().signal);
    expect(outcome).toBe('sent');
    expect(seen).toEqual([
      { method: 'POST', url: `/@connections/${encodeURIComponent('abc=')}`, body: frame },
    ]);
  });

  it("answers 'gone' for a connection the API reports gone (410)", async () => {
    const signal = new AbortController().signal;
    expect(await sdkGateway().post('gone-1', '{}', signal)).toBe('gone');
    expect(await sdkGateway().close('gone-2', signal)).toBe('gone');
  });

  it('closes a connection with DELETE @connections/{id}', async () => {
    expect(await sdkGateway().close('xyz', new AbortController().signal)).toBe('closed');
    expect(seen).toEqual([{ method: 'DELETE', url: '/@connections/xyz', body: '' }]);
  });

  it('throws any other failure (the publisher logs it)', async () => {
    const signal = new AbortController().signal;
    await expect(sdkGateway().post('broken-1', '{}', signal)).rejects.toBeDefined();
    await expect(sdkGateway().close('broken-2', signal)).rejects.toBeDefined();
  });

  it('gives up when its signal is aborted', async () => {
    const controller = new AbortController();
    const posting = sdkGateway().post('hang-1', '{}', controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(posting).rejects.toBeDefined();
  });

  it('leaves a replacement in charge when one is installed', () => {
    const stub = stubGateway();
    gatewayModule.useConnectionGateway(stub);
    try {
      expect(gatewayModule.connectionGateway()).toBe(stub);
    } finally {
      gatewayModule.useConnectionGateway(undefined);
    }
    expect(gatewayModule.connectionGateway()).toBe(sdkGateway());
  });
});
