import { loadSqliteDriver } from './sqlite-driver';

describe('loadSqliteDriver', () => {
  it('opens a working database on the Node running the tests', async () => {
    const Database = await loadSqliteDriver();
    const database = new Database(':memory:');
    try {
      expect(database.prepare('select 1 + 1 as two').get()).toEqual({ two: 2 });
    } finally {
      database.close();
    }
  });

  describe('picks the release by Node version', () => {
    // Stand-ins: loading release 13 into Node 20 would crash the test process.
    const release13 = { release: 13 };
    const release12 = { release: 12 };
    beforeEach(() => {
      jest.doMock('better-sqlite3', () => ({ __esModule: true, default: release13 }));
      jest.doMock('better-sqlite3-node20', () => ({ __esModule: true, default: release12 }));
    });
    afterEach(() => {
      jest.dontMock('better-sqlite3');
      jest.dontMock('better-sqlite3-node20');
      jest.resetModules();
    });

    it.each([
      ['20.19.0', release12],
      ['21.7.3', release12],
      ['22.13.0', release13],
      ['24.21.0', release13],
    ])('Node %s', async (nodeVersion, expected) => {
      expect(await loadSqliteDriver(nodeVersion)).toBe(expected);
    });
  });
});
