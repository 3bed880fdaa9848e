import { handler as connect } from '../../functions/ws/connect';
import { handler as send } from '../../functions/message/send';
import { DEADLINE_MARGIN_MS } from '../../lib/http/deadline';
import * as connections from '../../lib/realtime/connections';
import * as messages from '../../lib/messages';
import { registerFriends } from '../helpers/chat';
import { httpEvent, lambdaContext } from '../helpers/invoke';
import { connectionId, wsEvent } from '../helpers/ws';

// The slow operations: a send and a connection that never finish (a lock held elsewhere,
// a database that stopped answering mid-query).
jest.mock('../../lib/messages', () => {
  const actual = jest.requireActual('../../lib/messages');
  return { ...actual, sendMessage: jest.fn(actual.sendMessage) };
});
jest.mock('../../lib/realtime/connections', () => {
  const actual = jest.requireActual('../../lib/realtime/connections');
  return { ...actual, openConnection: jest.fn(actual.openConnection) };
});
const never = () => new Promise<never>(() => undefined);

/** An invocation that has `ms` left before the platform would cut it off. */
const contextWith = (ms: number) => ({ ...lambdaContext(), getRemainingTimeInMillis: () => ms });

/**
 * A function gives itself a deadline shortly before the platform's timeout and answers
 * 503 SERVICE_UNAVAILABLE in the contract's shape when it passes, instead of being cut off
 * (which API Gateway answers without our body, and serverless-offline as a 200).
 */
describe('the function deadline', () => {
  it('answers a send that outlives it 503 SERVICE_UNAVAILABLE, with the usual headers', async () => {
    const [alice, bob] = await registerFriends();
    jest.mocked(messages.sendMessage).mockImplementationOnce(never);
    const result = await send(
      httpEvent({
        token: alice.token,
        body: { receiver_id: bob.id, content: 'hi' },
        headers: { origin: 'https://app.example.com', 'accept-language': 'en' },
      }),
      contextWith(DEADLINE_MARGIN_MS + 200),
    );
    expect({ status: result.statusCode, body: JSON.parse(String(result.body)) }).toEqual({
      status: 503,
      body: {
        error: 'The service is temporarily unavailable, please retry later',
        code: 'SERVICE_UNAVAILABLE',
      },
    });
    expect(result.headers).toMatchObject({
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  it('leaves a send with time to spare alone', async () => {
    const [alice, bob] = await registerFriends();
    const result = await send(
      httpEvent({ token: alice.token, body: { receiver_id: bob.id, content: 'hi' } }),
      contextWith(DEADLINE_MARGIN_MS + 5000),
    );
    expect(result.statusCode).toBe(201);
  });

  it('refuses a WebSocket handshake that outlives it with 503', async () => {
    const [alice] = await registerFriends();
    jest.mocked(connections.openConnection).mockImplementationOnce(never);
    const result = await connect(
      wsEvent('$connect', { connectionId: connectionId(), query: { token: alice.token } }),
      contextWith(DEADLINE_MARGIN_MS + 200),
    );
    expect(result.statusCode).toBe(503);
  });
});
