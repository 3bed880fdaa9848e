/** A deployed function with a missing or weak secret must not start at all. */
describe('a function outside local runs', () => {
  function loadProfile(env: Record<string, string>): unknown {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      let loaded: unknown;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading is what is tested
        loaded = require('../../functions/auth/profile');
      });
      return loaded;
    } finally {
      process.env = saved;
    }
  }

  it('refuses to start without JWT_SECRET_KEY', () => {
    expect(() => loadProfile({ NODE_ENV: 'production', JWT_SECRET_KEY: '' })).toThrow(
      /JWT_SECRET_KEY is required/,
    );
  });

  it('refuses to start with a secret under 32 characters', () => {
    expect(() => loadProfile({ NODE_ENV: 'production', JWT_SECRET_KEY: 'too-short' })).toThrow(
      /at least 32 characters/,
    );
  });

  it('starts with a strong secret', () => {
    expect(loadProfile({ NODE_ENV: 'production', JWT_SECRET_KEY: 'y'.repeat(40) })).toHaveProperty(
      'handler',
    );
  });
});
