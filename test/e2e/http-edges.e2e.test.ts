import { adminConnection } from '../helpers/mysql-admin';
import { signUp, useOfflineApi } from './client';

/**
 * The HTTP API's edges through serverless-offline, as `npm start` runs it: the catch-all
 * route, CORS as a browser sees it, and the function deadline (a request that runs out of
 * time answers 503, never offline's `200 {"errorMessage": "[504] - Lambda timeout."}`).
 */
// Queries may wait longer than the function: what answers the stuck send below is the
// function's deadline, not the query timeout.
const { api, call } = useOfflineApi({ DB_QUERY_TIMEOUT_MS: '60000' });
const t = Date.now();

it('answers an unknown path 404 NOT_FOUND and a wrong method 405 with Allow, as JSON', async () => {
  const unknown = await call('/api/nope', { headers: { 'accept-language': 'en' } });
  expect(unknown).toAnswer(404, { error: 'Not found', code: 'NOT_FOUND' });
  expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
  expect(unknown.headers.get('x-content-type-options')).toBe('nosniff');

  const wrongMethod = await call('/api/health', { method: 'POST', body: {} });
  expect(wrongMethod).toAnswer(405, { code: 'METHOD_NOT_ALLOWED' });
  expect(wrongMethod.headers.get('allow')).toBe('GET');

  const outsideApi = await call('/', { method: 'DELETE' });
  expect(outsideApi).toAnswer(404, { code: 'NOT_FOUND' });
});

it('still answers CORS preflights, for known and unknown paths', async () => {
  for (const path of ['/api/message/send', '/api/nope']) {
    const preflight = await call(path, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(preflight).toHaveStatusBelow(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBeTruthy();
  }
});

it('lets a browser read Retry-After, WWW-Authenticate, ETag and Allow; sends no empty header', async () => {
  const response = await call('/api/health', { headers: { origin: 'https://app.example.com' } });
  expect(response).toHaveStatus(200);
  const exposed = (response.headers.get('access-control-expose-headers') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  expect(exposed).toEqual(
    expect.arrayContaining(['retry-after', 'www-authenticate', 'etag', 'allow']),
  );
  expect(response.headers.get('reporting-endpoints')).toBeNull();
  expect([...response.headers].filter(([, value]) => value.trim() === '')).toEqual([]);
});

// The slow operation: a send waiting on a row lock held here (InnoDB waits 50 s). On
// SQLite a lock wait blocks the whole worker, so the deadline is tested in process there
// (test/handlers/deadline.test.ts).
(process.env.DB_TYPE === 'mysql' ? it : it.skip)(
  'answers a send that outlives the function timeout 503 SERVICE_UNAVAILABLE, not 200',
  async () => {
    const alice = await signUp(api(), `dl_a_${t}`);
    const bob = await signUp(api(), `dl_b_${t}`);
    const add = await call('/api/friend/add', {
      token: alice.token,
      body: { friend_username: bob.username },
    });
    expect(add).toHaveStatus(201);
    const locker = await adminConnection();
    try {
      await locker.query(`USE ${locker.escapeId(api().env.DB_NAME ?? '')}`);
      await locker.beginTransaction();
      await locker.query('SELECT * FROM friendships FOR UPDATE');
      const stuck = await call('/api/message/send', {
        token: alice.token,
        body: { receiver_id: bob.id, content: 'behind a lock', client_msg_id: 'dl-1' },
      });
      expect(stuck).toAnswer(503, { code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await locker.rollback();
      await locker.end();
    }
    // The abandoned send may still go through once the lock is gone; the retry the 503
    // invites finds it (or sends it) exactly once.
    const retry = await call('/api/message/send', {
      token: alice.token,
      body: { receiver_id: bob.id, content: 'behind a lock', client_msg_id: 'dl-1' },
    });
    expect(retry.status === 200 || retry.status === 201).toBe(true);
    const history = await call(`/api/message/history?friend_id=${alice.id}`, { token: bob.token });
    expect(history.body.data.total).toBe(1);
  },
);
