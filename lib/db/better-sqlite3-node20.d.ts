// The package alias of better-sqlite3 12 for Node 20 (./sqlite-driver.ts): the same API.
declare module 'better-sqlite3-node20' {
  import Database from 'better-sqlite3';
  export default Database;
}
