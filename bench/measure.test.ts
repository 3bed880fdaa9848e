import fc from 'fast-check';
import { measure, percentile, summarize } from './measure';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 0.5)).toBe(5);
    expect(percentile(sorted, 0.95)).toBe(10);
    expect(percentile(sorted, 0.99)).toBe(10);
    expect(percentile([7], 0.5)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('is one of the samples, and never falls as the fraction rises', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (samples, a, b) => {
          const sorted = [...samples].sort((x, y) => x - y);
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(sorted).toContain(percentile(sorted, low));
          expect(percentile(sorted, low)).toBeLessThanOrEqual(percentile(sorted, high));
        },
      ),
    );
  });
});

describe('summarize', () => {
  it('reports percentiles of the samples and throughput over the wall time', () => {
    const summary = summarize([4, 1, 3, 2], 2, 1000);
    expect(summary).toEqual({
      ops: 4,
      concurrency: 2,
      opsPerSecond: 4,
      meanMs: 2.5,
      p50Ms: 2,
      p95Ms: 4,
      p99Ms: 4,
    });
  });
});

describe('measure', () => {
  it('makes exactly the calls asked for, never more than `concurrency` at once', async () => {
    let running = 0;
    let peak = 0;
    let made = 0;
    const summary = await measure(
      () => async () => {
        made += 1;
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 1));
        running -= 1;
      },
      { calls: 40, concurrency: 4, maxMs: 60_000 },
    );
    expect(made).toBe(40);
    expect(summary.ops).toBe(40);
    expect(peak).toBe(4);
    expect(summary.p50Ms).toBeGreaterThan(0);
  });

  it('stops when the calls run out', async () => {
    let left = 5;
    const summary = await measure(() => (left-- > 0 ? async () => undefined : undefined), {
      calls: 100,
      concurrency: 3,
      maxMs: 60_000,
    });
    expect(summary.ops).toBe(5);
  });

  it('stops at the time limit', async () => {
    const summary = await measure(() => () => new Promise((resolve) => setTimeout(resolve, 5)), {
      calls: 1_000_000,
      concurrency: 1,
      maxMs: 50,
    });
    expect(summary.ops).toBeGreaterThan(0);
    expect(summary.ops).toBeLessThan(50);
  });

  it('lets a failing call fail the run', async () => {
    await expect(
      measure(() => () => Promise.reject(new Error('status 500')), {
        calls: 10,
        concurrency: 2,
        maxMs: 1000,
      }),
    ).rejects.toThrow('status 500');
  });
});
