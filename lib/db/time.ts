/**
 * Both dialects store timestamps as `YYYY-MM-DD HH:MM:SS.mmm` in UTC: sortable, exact to the
 * millisecond, and identical on MySQL DATETIME(3) and SQLite TEXT. The API speaks ISO-8601.
 */
export function toDbTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export function toIsoTimestamp(dbTimestamp: string): string {
  return `${dbTimestamp.replace(' ', 'T')}Z`;
}
