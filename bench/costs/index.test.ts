import { parseCases } from './index';

const entry = {
  name: 'mark_read all',
  sizeLabel: 'unread messages',
  small: { size: 10, p50Ms: 1, p99Ms: 2 },
  large: { size: 100_000, p50Ms: 1.1, p99Ms: 2.2 },
  ratioP50: 1.1,
  ratioP99: 1.1,
  target: 1.3,
  met: true,
};

describe("parseCases (a cost module's output)", () => {
  it('reads the JSON array a module printed, pretty or on one line', () => {
    expect(parseCases(JSON.stringify([entry], null, 2))).toEqual([entry]);
    expect(parseCases(`${JSON.stringify([entry])}\n`)).toEqual([entry]);
  });

  it('skips what the module logged before its cases', () => {
    const output = `seeding [1/2] done\n[note] warm\n${JSON.stringify([entry, entry], null, 2)}\n`;
    expect(parseCases(output)).toEqual([entry, entry]);
  });

  it('fails when there are no cases', () => {
    expect(() => parseCases('seeding done\n')).toThrow(/no cases/);
    expect(() => parseCases('{"not": "an array"}')).toThrow(/no cases/);
  });
});
