import { invoke } from '../helpers/invoke';
import { loadContainer } from '../helpers/isolated';
import { uniqueName } from '../helpers/users';

/**
 * Logs are JSON lines, each with the request id, and never hold a password, a token or a
 * password hash, even at DEBUG level (which logs every query's SQL).
 */
const container = loadContainer(
  { POWERTOOLS_LOG_LEVEL: 'DEBUG', RATE_LIMITS: 'on', RATE_LIMIT_LOGIN_PER_ACCOUNT: '1/900' },
  {
    register: '../../functions/auth/register',
    login: '../../functions/auth/login',
    refresh: '../../functions/auth/refresh',
    profile: '../../functions/auth/profile',
  },
);

afterAll(() => container.close());

it('writes JSON lines with a request id and no secrets', async () => {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
    return true;
  });
  const username = uniqueName();
  const password = 'a very secret password';
  const secrets: string[] = [password];
  try {
    const registered = await invoke(container.handlers.register, {
      body: { username, email: `${username}@example.com`, password },
    });
    expect(registered.status).toBe(201);
    secrets.push(registered.body.data.access_token, registered.body.data.refresh_token);
    await invoke(container.handlers.login, { body: { username, password: 'wrong password!' } });
    await invoke(container.handlers.login, { body: { username, password } }); // 429 now
    await invoke(container.handlers.refresh, {
      body: { refresh_token: registered.body.data.refresh_token },
    });
    await invoke(container.handlers.profile, { token: registered.body.data.access_token });
    await invoke(container.handlers.profile, { token: 'forged.token.value' });
  } finally {
    write.mockRestore();
  }

  expect(lines.length).toBeGreaterThan(5);
  for (const line of lines) {
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(typeof entry.level).toBe('string');
    expect(typeof entry.function_request_id).toBe('string');
    for (const secret of secrets) expect(line).not.toContain(secret);
    expect(line).not.toMatch(/\$2[aby]\$/);
    expect(line).not.toContain('wrong password!');
    expect(line).not.toContain('forged.token.value');
  }
});
