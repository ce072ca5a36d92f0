import { getEnv } from "../env";

/** The refresh buffer from BACKEND_TOKEN_REFRESH_BUFFER_SECONDS, in milliseconds. */
export function getRefreshBufferMs(): number {
  return getEnv().BACKEND_TOKEN_REFRESH_BUFFER_SECONDS * 1000;
}

/**
 * Whether a token expires within the buffer (or already has). A token without an expiry is never
 * expiring: the backend did not say, so Tumiki uses it until the backend refuses it.
 */
export function isExpiringSoon({
  expiresAt,
  now = Date.now(),
  bufferMs = getRefreshBufferMs(),
}: {
  expiresAt: Date | null;
  now?: number;
  bufferMs?: number;
}): boolean {
  if (expiresAt === null) return false;
  return expiresAt.getTime() - now <= bufferMs;
}
