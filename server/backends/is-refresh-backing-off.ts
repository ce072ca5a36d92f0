// After a refresh failed without a verdict on the grant (a timeout, a reset connection, a 500/502/504,
// retries exhausted on 503/429 or refused connections, an unexpected answer) the row stays valid with
// `lastError` set, and that write bumps `updatedAt`: a success clears `lastError`, a reconnect clears it
// and a gone grant sets `isValid` false, so "valid with lastError" means exactly "the last refresh failed
// and left the current token in place", and `updatedAt` says when. Every process reads the row, so this
// backoff holds across processes without Redis. While it lasts, the still-working access token is
// served and the AS is not asked again: the refresh token sent in that request may already have been
// used (RFC 9700 §4.14.2: sending it again can revoke the grant), and each further attempt would hold a
// proxied request for up to the request timeout.

/** How long after such a failure nobody asks the AS again while the current token still works. */
export const REFRESH_BACKOFF_MS = 30_000;

/**
 * Whether the last refresh failed less than REFRESH_BACKOFF_MS ago and the current access token has not
 * expired yet (once it has, trying again is the only way to a working token).
 */
export function isRefreshBackingOff({
  token,
  now = Date.now(),
}: {
  token: { isValid: boolean; lastError: string | null; updatedAt: Date; expiresAt: Date | null };
  now?: number;
}): boolean {
  if (!token.isValid || token.lastError === null) return false;
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now) return false;
  return now - token.updatedAt.getTime() < REFRESH_BACKOFF_MS;
}
