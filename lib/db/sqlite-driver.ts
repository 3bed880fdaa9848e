import type BetterSqlite3 from 'better-sqlite3';

/** The better-sqlite3 constructor, whichever release this Node runs. */
export type SqliteDriver = typeof BetterSqlite3;

/** The first Node major better-sqlite3 13 runs on. */
const NODE_API_DRIVER_SINCE = 22;

/**
 * better-sqlite3 13 (Node-API, prebuilt) on Node 22 and later; 12 (compiled on install,
 * package alias `better-sqlite3-node20`) on Node 20, where 13 crashes on load. 12 cannot serve
 * every version: built for Node 24.19 or later, its statements' destructors abort the process
 * (`Assertion failed: (env) != nullptr`) when the garbage collector frees them outside a
 * Node environment, as in Jest's test contexts or an idle collection.
 */
export async function loadSqliteDriver(nodeVersion = process.versions.node): Promise<SqliteDriver> {
  const major = Number(nodeVersion.split('.')[0]);
  // Loaded only here, so MySQL deployments never need the native module.
  if (major >= NODE_API_DRIVER_SINCE) return (await import('better-sqlite3')).default;
  try {
    return (await import('better-sqlite3-node20')).default;
  } catch (cause) {
    // An optional dependency: npm skips it when it cannot compile.
    throw new Error(
      'better-sqlite3 12 (better-sqlite3-node20) is missing or did not build: run npm install ' +
        'with python3, make and a C++ compiler, or use Node 22 or later',
      { cause },
    );
  }
}
