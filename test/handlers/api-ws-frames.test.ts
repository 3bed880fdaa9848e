import { handler as friendAdd } from '../../functions/friend/add';
import { handler as friendRemove } from '../../functions/friend/remove';
import { handler as markRead } from '../../functions/message/mark-read';
import { handler as recall } from '../../functions/message/recall';
import { handler as connect } from '../../functions/ws/connect';
import { handler as wsDefault } from '../../functions/ws/default';
import { handler as ping } from '../../functions/ws/ping';
import { handler as typing } from '../../functions/ws/typing';
import { frameErrorCodes } from '../../lib/api/asyncapi';
import { errorStatus } from '../../lib/errors';
import { serverEvents } from '../../lib/realtime/events';
import type { WsHandler } from '../../lib/ws/handler';
import { wsModules } from '../../scripts/api-reference';
import { AsyncApiChecker } from '../helpers/api-reference';
import { registerFriends, sendMessage } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { registerUser, type TestUser } from '../helpers/users';
import { connectionId, invokeWs, useRecordingGateway } from '../helpers/ws';

/**
 * Real WebSocket traffic against the AsyncAPI document: the frames a client sends (its
 * examples and real ones) validate against the client messages, every frame the server
 * answers or pushes validates against the message of its `type`, `error` frames carry a code
 * their route documents, and the handshake's refusal has the documented status. Every
 * server event is produced at least once.
 */

const gateway = useRecordingGateway();
const checker = new AsyncApiChecker();
const [pingRoute, typingRoute] = wsModules.routes;

async function open(user: TestUser): Promise<string> {
  const id = connectionId();
  const response = await invokeWs(connect, '$connect', {
    connectionId: id,
    query: { token: user.token },
  });
  expect(response.status).toBe(200);
  return id;
}

/** Sends a client frame through a route; checks the frame and the answer against the document. */
async function frame(
  handler: WsHandler,
  routeKey: string,
  id: string,
  body: unknown,
  clientMessage?: string,
) {
  if (clientMessage) expect(checker.problems(clientMessage, body)).toEqual([]);
  const response = await invokeWs(handler, routeKey, {
    connectionId: id,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (response.frame !== undefined) expect(checker.eventProblems(response.frame)).toEqual([]);
  return response.frame;
}

/** Every frame pushed so far validates against the message of its type. */
function expectPushedValid(): void {
  expect(gateway.posted.flatMap(({ event }) => checker.eventProblems(event))).toEqual([]);
}

let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  [alice, bob] = await registerFriends();
});

it('refuses a bad token with the documented status, and accepts a good one', async () => {
  const refused = await invokeWs(connect, '$connect', {
    connectionId: connectionId(),
    query: { token: 'not-a-token' },
  });
  expect(wsModules.connect.api.errors.map((code) => errorStatus[code])).toContain(refused.status);
  expect(refused.frame.code).toBe('UNAUTHORIZED');
  await open(alice);
});

it('answers ping with pong, and client frames match their schemas', async () => {
  const id = await open(alice);
  expect(pingRoute?.api.example).toBeDefined();
  const answer = await frame(ping, 'ping', id, pingRoute?.api.example, 'clientPing');
  expect(answer).toEqual({ type: 'pong', data: {} });
  // What the schemas refuse, the route refuses: a typing frame without `to`.
  expect(checker.problems('clientTyping', { action: 'typing', state: 'start' })).not.toEqual([]);
});

it('pushes typing to the friend; refuses strangers and bad frames with documented codes', async () => {
  const aliceId = await open(alice);
  const bobId = await open(bob);
  const carol = await registerUser();
  const carolId = await open(carol);

  await frame(typing, 'typing', aliceId, typingRoute?.api.example, 'clientTyping');
  await frame(
    typing,
    'typing',
    aliceId,
    { action: 'typing', to: bob.id, state: 'start' },
    'clientTyping',
  );
  expect(gateway.eventsTo(bobId)).toContainEqual({
    type: 'typing',
    data: { from: alice.id, state: 'start' },
  });

  const documented = frameErrorCodes(typingRoute as (typeof wsModules.routes)[number]);
  const stranger = await frame(typing, 'typing', carolId, {
    action: 'typing',
    to: alice.id,
    state: 'stop',
  });
  expect(stranger.data.code).toBe('NOT_FRIENDS');
  const invalid = await frame(typing, 'typing', aliceId, { action: 'typing', to: 'x' });
  expect(invalid.data.code).toBe('VALIDATION_ERROR');
  expect(invalid.data.details.length).toBeGreaterThan(0);
  expect(documented).toEqual(expect.arrayContaining([stranger.data.code, invalid.data.code]));

  const fallbackCodes = frameErrorCodes(wsModules.fallback);
  const garbage = await frame(wsDefault, '$default', aliceId, 'not json');
  const unknown = await frame(wsDefault, '$default', aliceId, { action: 'dance' });
  expect([garbage.data.code, unknown.data.code]).toEqual(['INVALID_JSON', 'VALIDATION_ERROR']);
  expect(fallbackCodes).toEqual(expect.arrayContaining(['INVALID_JSON', 'VALIDATION_ERROR']));
  expectPushedValid();
});

it('pushes message, read, recall and friend events that match their schemas', async () => {
  const [dave, erin] = [await registerUser(), await registerUser()];
  await open(dave);
  await open(erin);
  const added = await invoke(friendAdd, {
    token: dave.token,
    body: { friend_username: erin.username },
  });
  expect(added.status).toBe(201);
  const sent = await sendMessage(dave, erin, 'hello', { client_msg_id: 'ws-1' });
  expect(sent.status).toBe(201);
  await sendMessage(erin, dave, '你好 👋');
  const read = await invoke(markRead, { token: erin.token, body: { sender_id: dave.id } });
  expect(read.body.data.updated).toBe(1);
  const recalled = await invoke(recall, {
    token: dave.token,
    body: { message_id: sent.body.data.message.id },
  });
  expect(recalled.status).toBe(200);
  const removed = await invoke(friendRemove, { token: erin.token, body: { friend_id: dave.id } });
  expect(removed.status).toBe(200);
  expectPushedValid();
});

it('produced every server event the document lists', () => {
  const types = serverEvents.map((event) => event.shape.type.value);
  expect(types.filter((type) => !checker.seen.has(type))).toEqual([]);
});
