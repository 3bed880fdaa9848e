import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invoke } from '../helpers/invoke';
import { loadContainer } from '../helpers/isolated';
import { freePort } from '../helpers/ports';

/** A container whose database cannot be reached answers 503, never 500. */
describe('when the database cannot be reached', () => {
  it.each([
    ['health', {}],
    ['login', { body: { username: 'someone', password: 'a fine password' } }],
  ] as const)('%s answers 503 SERVICE_UNAVAILABLE (MySQL down)', async (name, request) => {
    // Nothing listens on a port that was just free.
    const env = {
      DB_TYPE: 'mysql',
      DB_HOST: '127.0.0.1',
      DB_PORT: String(await freePort()),
      DB_CONNECT_TIMEOUT_MS: '1000',
    };
    const container = loadContainer(env, {
      health: '../../functions/system/health',
      login: '../../functions/auth/login',
    });
    try {
      const response = await invoke(container.handlers[name], request);
      expect(response.status).toBe(503);
      expect(response.body).toEqual({
        error: '服务暂时不可用，请稍后再试',
        code: 'SERVICE_UNAVAILABLE',
      });
    } finally {
      await container.close();
    }
  });

  it('health answers 503 when the SQLite file cannot be opened', async () => {
    // A folder that cannot exist: its parent is a file.
    const file = join(tmpdir(), `not-a-folder-${process.pid}`);
    writeFileSync(file, '');
    const container = loadContainer(
      { DB_TYPE: 'sqlite', SQLITE_PATH: join(file, 'data', 'chat.sqlite') },
      { health: '../../functions/system/health' },
    );
    try {
      const response = await invoke(container.handlers.health);
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('SERVICE_UNAVAILABLE');
      expect(response.rawBody).not.toContain(file);
    } finally {
      await container.close();
      rmSync(file, { force: true });
    }
  });
});
