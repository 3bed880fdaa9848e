import { costCase, costPoint } from './case';

describe('costPoint', () => {
  it('takes p50 and p99 of unsorted latencies, rounded to the microsecond', () => {
    const latencies = Array.from({ length: 100 }, (_, index) => (100 - index) / 3);
    expect(costPoint(10, latencies)).toEqual({ size: 10, p50Ms: 16.667, p99Ms: 33 });
  });
});

describe('costCase', () => {
  const small = { size: 10, p50Ms: 1, p99Ms: 4 };

  it('is met when both ratios are within 1.3', () => {
    const entry = costCase('x', 'users', small, { size: 1000, p50Ms: 1.3, p99Ms: 5.2 });
    expect(entry).toMatchObject({ ratioP50: 1.3, ratioP99: 1.3, target: 1.3, met: true });
  });

  it('is missed when either ratio passes 1.3', () => {
    expect(costCase('x', 'users', small, { size: 1000, p50Ms: 1.31, p99Ms: 4 }).met).toBe(false);
    expect(costCase('x', 'users', small, { size: 1000, p50Ms: 1, p99Ms: 5.3 }).met).toBe(false);
  });
});
