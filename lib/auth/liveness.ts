/**
 * Whether a login (session row) still stands for a user whose current token version is
 * `userTokenVersion`: not revoked (logout, reuse) and not from before a password change.
 */
export function isLiveSession(
  session: { revoked_at: string | null; token_version: number },
  userTokenVersion: number,
): boolean {
  return session.revoked_at === null && session.token_version === userTokenVersion;
}
