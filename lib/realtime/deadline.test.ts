import { getMaxListeners } from 'node:events';
import { settleWithin } from './deadline';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that never settles on its own; it rejects once its signal is aborted. */
function hanging(signals: AbortSignal[]) {
  return (signal: AbortSignal) => {
    signals.push(signal);
    return new Promise<string>((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error('aborted'))),
    );
  };
}

describe('settleWithin', () => {
  it('reports every value, in task order, when all settle before the deadline', async () => {
    const started = Date.now();
    const outcomes = await settleWithin(5000, [
      async () => {
        await sleep(30);
        return 'slow';
      },
      async () => 'fast',
      async () => {
        await sleep(10);
        return 'middle';
      },
    ]);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'slow' },
      { status: 'fulfilled', value: 'fast' },
      { status: 'fulfilled', value: 'middle' },
    ]);
    // It did not wait for the deadline.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('runs the tasks in parallel', async () => {
    let running = 0;
    let most = 0;
    const task = async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(20);
      running -= 1;
      return running;
    };
    await settleWithin(5000, [task, task, task, task]);
    expect(most).toBe(4);
  });

  it("reports a hanging task as 'timeout', aborts its signal, and keeps the others", async () => {
    const signals: AbortSignal[] = [];
    const outcomes = await settleWithin(100, [async () => 'done', hanging(signals)]);
    expect(outcomes).toEqual([{ status: 'fulfilled', value: 'done' }, { status: 'timeout' }]);
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
  });

  it('does not abort the signal before the deadline', async () => {
    let seen: AbortSignal | undefined;
    let abortedWhileRunning: boolean | undefined;
    await settleWithin(2000, [
      async (signal) => {
        seen = signal;
        await sleep(20);
        abortedWhileRunning = signal.aborted;
      },
    ]);
    expect(abortedWhileRunning).toBe(false);
    // Finished work is not harmed by the abort that follows.
    expect(seen?.aborted).toBe(true);
  });

  it('reports a rejection with its reason, without failing the others', async () => {
    const failure = new Error('management API unavailable');
    const outcomes = await settleWithin(1000, [
      async () => {
        throw failure;
      },
      async () => 1,
      () => Promise.reject('a string reason'),
    ]);
    expect(outcomes).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: 'a string reason' },
    ]);
    expect((outcomes[0] as { reason: unknown }).reason).toBe(failure);
  });

  it('reports a task that throws synchronously as rejected', async () => {
    const failure = new TypeError('not a function');
    const outcomes = await settleWithin(1000, [
      () => {
        throw failure;
      },
      async () => 'ok',
    ]);
    expect(outcomes).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 'ok' },
    ]);
  });

  it('returns an empty list at once for no tasks', async () => {
    const started = Date.now();
    expect(await settleWithin(10_000, [])).toEqual([]);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('returns within roughly the deadline, however many tasks hang', async () => {
    const signals: AbortSignal[] = [];
    const deadline = 200;
    const started = Date.now();
    const outcomes = await settleWithin(deadline, [
      ...Array.from({ length: 20 }, () => hanging(signals)),
      // One that ignores its signal altogether.
      () => new Promise<string>(() => undefined),
      async () => 'quick',
    ]);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(deadline - 20);
    expect(elapsed).toBeLessThan(deadline + 500);
    expect(outcomes.filter((outcome) => outcome.status === 'timeout')).toHaveLength(21);
    expect(outcomes[21]).toEqual({ status: 'fulfilled', value: 'quick' });
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });

  it('does not change what it reported when a late task settles afterwards', async () => {
    const outcomes = await settleWithin(50, [
      async () => {
        await sleep(150);
        return 'late';
      },
      async () => {
        await sleep(150);
        throw new Error('late failure');
      },
    ]);
    expect(outcomes).toEqual([{ status: 'timeout' }, { status: 'timeout' }]);
    await sleep(200);
    expect(outcomes).toEqual([{ status: 'timeout' }, { status: 'timeout' }]);
  });

  it('lets every task listen to the shared signal without a leak warning', async () => {
    // The SDK adds two abort listeners per request: a fan-out to 25 connections is 50 of
    // them on one signal, which Node reports as a possible leak past its default of 10.
    const signals: AbortSignal[] = [];
    const listening = (signal: AbortSignal) => {
      signals.push(signal);
      signal.addEventListener('abort', () => undefined, { once: true });
      return sleep(5).then(() => 'sent');
    };
    const outcomes = await settleWithin(
      1000,
      Array.from({ length: 25 }, () => listening),
    );
    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    const signal = signals[0] as AbortSignal;
    expect(signals.every((each) => each === signal)).toBe(true);
    const max = getMaxListeners(signal);
    expect(max).toBeGreaterThanOrEqual(50);
  });

  it('leaves no timer behind when everything settles early', async () => {
    jest.useFakeTimers();
    try {
      const outcomes = await settleWithin(60_000, [async () => 'a', async () => 'b']);
      expect(outcomes).toHaveLength(2);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
