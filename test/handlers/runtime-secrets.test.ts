import jwt from 'jsonwebtoken';
import { loadContainer, type IsolatedContainer } from '../helpers/isolated';
import { invoke } from '../helpers/invoke';
import { uniqueName } from '../helpers/users';

/**
 * Deployed stages read the JWT keys (and the database password) from SSM Parameter Store at
 * run time, through @middy/ssm: here a stand-in for the SSM client answers GetParameters
 * from `parameters` and counts the calls, as Parameter Store would.
 */
const parameters = new Map<string, string>();
const ssmCalls: string[][] = [];
let ssmDown = false;

jest.mock('@aws-sdk/client-ssm', () => {
  class GetParametersCommand {
    constructor(readonly input: { Names: string[] }) {}
  }
  class GetParametersByPathCommand {
    constructor(readonly input: unknown) {}
  }
  class SSMClient {
    send(command: GetParametersCommand) {
      ssmCalls.push(command.input.Names);
      if (ssmDown) return Promise.reject(new Error('connect ETIMEDOUT ssm'));
      const names = command.input.Names;
      return Promise.resolve({
        Parameters: names
          .filter((name) => parameters.has(name))
          .map((name) => ({ Name: name, Type: 'SecureString', Value: parameters.get(name) })),
        InvalidParameters: names.filter((name) => !parameters.has(name)),
      });
    }
  }
  return { SSMClient, GetParametersCommand, GetParametersByPathCommand };
});

const KEY_NAME = '/chat/test/jwt-key';
const PREVIOUS_NAME = '/chat/test/jwt-previous-key';
const oldKey = 'old-key-'.padEnd(48, 'o');
const newKey = 'new-key-'.padEnd(48, 'n');
const environmentKey = process.env.JWT_SECRET_KEY ?? '';

const modules = {
  register: '../../functions/auth/register',
  profile: '../../functions/auth/profile',
};
const containers: IsolatedContainer<keyof typeof modules>[] = [];

/** A new Lambda container reading its keys from SSM (no JWT_SECRET_KEY in its environment). */
function container(env: Record<string, string> = {}) {
  const loaded = loadContainer(
    { JWT_SECRET_KEY: '', JWT_SECRET_KEY_PARAMETER: KEY_NAME, NODE_ENV: 'production', ...env },
    modules,
  );
  containers.push(loaded);
  return loaded.handlers;
}

async function register(handlers: ReturnType<typeof container>) {
  const body = {
    username: uniqueName('ssm'),
    email: `${uniqueName('mail')}@example.com`,
    password: 'correct horse battery',
  };
  return invoke(handlers.register, { body });
}

beforeEach(() => {
  parameters.clear();
  ssmCalls.length = 0;
  ssmDown = false;
});

afterAll(async () => {
  for (const loaded of containers) await loaded.close();
});

it('signs tokens with the key read from SSM, fetched once per container', async () => {
  parameters.set(KEY_NAME, oldKey);
  const handlers = container();

  const registered = await register(handlers);
  expect(registered.status).toBe(201);
  const token = registered.body.data.access_token as string;
  expect(() => jwt.verify(token, oldKey, { algorithms: ['HS256'] })).not.toThrow();
  expect(() => jwt.verify(token, environmentKey, { algorithms: ['HS256'] })).toThrow();

  const profile = await invoke(handlers.profile, { token });
  expect(profile.status).toBe(200);
  await invoke(handlers.profile, { token });
  // Fetched at cold start, then cached (SECRETS_CACHE_SECONDS): one call for three requests.
  expect(ssmCalls).toEqual([[KEY_NAME]]);
});

it('answers 503 SERVICE_UNAVAILABLE while Parameter Store cannot be reached', async () => {
  ssmDown = true;
  const handlers = container({ SECRETS_CACHE_SECONDS: '0' });
  const response = await register(handlers);
  expect([response.status, response.body?.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
});

it('refuses a weak key read from SSM, as it refuses a weak JWT_SECRET_KEY', async () => {
  parameters.set(KEY_NAME, 'too-short');
  const response = await register(container());
  expect(response.status).toBe(500);
});

describe('rotating the JWT key', () => {
  it('accepts tokens of the previous key until its set time, and only the current key signs', async () => {
    parameters.set(KEY_NAME, oldKey);
    const before = container();
    const oldToken = (await register(before)).body.data.access_token as string;

    // The rotation: the new key becomes current, the old one previous, for an hour.
    parameters.set(KEY_NAME, newKey);
    parameters.set(PREVIOUS_NAME, oldKey);
    const rotation = {
      JWT_PREVIOUS_SECRET_KEY_PARAMETER: PREVIOUS_NAME,
      JWT_PREVIOUS_SECRET_KEY_UNTIL: new Date(Date.now() + 3600_000).toISOString(),
    };
    const during = container(rotation);
    expect((await invoke(during.profile, { token: oldToken })).status).toBe(200);
    const newToken = (await register(during)).body.data.access_token as string;
    expect(() => jwt.verify(newToken, newKey, { algorithms: ['HS256'] })).not.toThrow();
    expect((await invoke(during.profile, { token: newToken })).status).toBe(200);

    // Past the set time, the previous key verifies nothing.
    const after = container({
      ...rotation,
      JWT_PREVIOUS_SECRET_KEY_UNTIL: new Date(Date.now() - 1000).toISOString(),
    });
    expect((await invoke(after.profile, { token: oldToken })).status).toBe(401);
    expect((await invoke(after.profile, { token: newToken })).status).toBe(200);
  });
});
