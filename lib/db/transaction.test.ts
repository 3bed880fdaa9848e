import { MysqlAdapter } from 'kysely';
import type { DatabaseClient } from './connection';
import { inTransaction } from './transaction';

/** A stand-in client whose transactions fail with `errors` in turn, then succeed. */
function flakyClient(errors: unknown[]): { db: DatabaseClient; attempts: () => number } {
  let attempts = 0;
  const db = {
    getExecutor: () => ({ adapter: new MysqlAdapter() }),
    transaction: () => ({
      execute: async <T>(work: (trx: unknown) => Promise<T>) => {
        attempts += 1;
        const error = errors.shift();
        if (error !== undefined) throw error;
        return work({});
      },
    }),
  } as unknown as DatabaseClient;
  return { db, attempts: () => attempts };
}

const deadlock = () => Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' });

describe('inTransaction on MySQL', () => {
  it('runs the work again when MySQL picks it as a deadlock victim', async () => {
    const { db, attempts } = flakyClient([deadlock(), deadlock()]);
    await expect(inTransaction(db, async () => 'done')).resolves.toBe('done');
    expect(attempts()).toBe(3);
  });

  it('gives up after four deadlocks', async () => {
    const { db, attempts } = flakyClient([
      deadlock(),
      deadlock(),
      deadlock(),
      deadlock(),
      deadlock(),
    ]);
    await expect(inTransaction(db, async () => 'done')).rejects.toMatchObject({
      code: 'ER_LOCK_DEADLOCK',
    });
    expect(attempts()).toBe(4);
  });

  it('does not retry other errors', async () => {
    const duplicate = Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY' });
    const { db, attempts } = flakyClient([duplicate]);
    await expect(inTransaction(db, async () => 'done')).rejects.toBe(duplicate);
    expect(attempts()).toBe(1);
  });
});
