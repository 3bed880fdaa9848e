import { handler as connect } from '../../functions/ws/connect';
import type { LambdaHandler } from '../../lib/http/handler';
import type { ConnectionGateway } from '../../lib/realtime/gateway';
import { registerFriends } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { connectionId, invokeWs, RecordingGateway } from '../helpers/ws';

/**
 * A cold container loads the AWS SDK on its first push. That load is not the gateway's
 * time: PUSH_TIMEOUT_MS bounds the posts only, so a slow load (eight cold containers on a
 * busy machine took over 1.5 s under serverless-offline) does not drop the first push.
 */
const PUSH_TIMEOUT_MS = 100;
/** Well past the deadline: a load this slow inside it would cut every post off. */
const LOAD_MS = 300;

/**
 * A recording gateway that, like the SDK-backed one, loads once (LOAD_MS) before its first
 * call, whether ready() or post() asks first.
 */
class ColdGateway extends RecordingGateway {
  loads = 0;
  private loaded: Promise<void> | undefined;

  ready(): Promise<void> {
    this.loaded ??= new Promise((resolve) => {
      this.loads += 1;
      setTimeout(resolve, LOAD_MS);
    });
    return this.loaded;
  }

  override async post(id: string, frame: string, signal: AbortSignal): Promise<'sent' | 'gone'> {
    await this.ready();
    return super.post(id, frame, signal);
  }
}

let container: {
  send: LambdaHandler;
  useGateway: (gateway: ConnectionGateway | undefined) => void;
  closeDb: () => Promise<void>;
};
const gateway = new ColdGateway();

beforeAll(() => {
  // A container of its own (as another Lambda instance would be), with a small deadline.
  const saved = { ...process.env };
  process.env.PUSH_TIMEOUT_MS = String(PUSH_TIMEOUT_MS);
  try {
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports -- loaded under the env above */
      container = {
        send: require('../../functions/message/send').handler,
        useGateway: require('../../lib/realtime/gateway').useConnectionGateway,
        closeDb: require('../../lib/db/connection').closeDb,
      };
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
  } finally {
    process.env = saved;
  }
  container.useGateway(gateway);
});
afterAll(async () => {
  container.useGateway(undefined);
  await container.closeDb();
});

it("delivers a cold container's first push although loading takes longer than the deadline", async () => {
  const [alice, bob] = await registerFriends();
  const bobPhone = connectionId();
  const opened = await invokeWs(connect, '$connect', {
    connectionId: bobPhone,
    query: { token: bob.token },
  });
  expect(opened.status).toBe(200);

  const response = await invoke(container.send, {
    token: alice.token,
    body: { receiver_id: bob.id, content: 'first push of a cold container' },
  });
  expect(response.status).toBe(201);
  expect(gateway.loads).toBe(1);
  expect(gateway.eventsTo(bobPhone)).toEqual([
    { type: 'message.new', data: { message: response.body.data.message } },
  ]);
});
