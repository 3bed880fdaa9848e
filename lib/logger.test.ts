import { errorForLog } from './logger';

describe('errorForLog', () => {
  it('drops the message and SQL of a driver error, which can quote values', () => {
    const driverError = Object.assign(
      new Error("Duplicate entry 'leak@example.com' for key 'users_email_uq'"),
      {
        code: 'ER_DUP_ENTRY',
        errno: 1062,
        sqlState: '23000',
        sql: "insert into users values ('leak@example.com', '$2b$10$abcdefghijklmnopqrstuv')",
        sqlMessage: "Duplicate entry 'leak@example.com'",
      },
    );
    const logged = errorForLog(new Error('wrapper', { cause: driverError }));
    const text = JSON.stringify(logged);
    expect(text).not.toContain('leak@example.com');
    expect(text).not.toContain('$2b$');
    expect(logged).toMatchObject({
      name: 'Error',
      message: 'wrapper',
      cause: { code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000' },
    });
    expect((logged.cause as { stack: string }).stack).toMatch(/^\s+at /);
  });

  it('keeps the message and stack of an ordinary error', () => {
    const logged = errorForLog(new TypeError('x is undefined'));
    expect(logged).toMatchObject({ name: 'TypeError', message: 'x is undefined' });
    expect(logged.stack).toContain('TypeError: x is undefined');
  });

  it('describes a non-error without its value', () => {
    expect(errorForLog('secret-token')).toEqual({ type: 'string' });
  });
});
