import { BACKEND_TOKEN_PURPOSE } from "./get-stored-backend-token-or-throw";

/**
 * The part of a connection's `tokens` that deriveConnectionState reads, for the lists that show a
 * connection's state. refreshToken is read (decrypted) only to say whether there is one: the
 * encryption extension refuses a filter on ciphertext, so "is not null" cannot be asked of the database.
 * It never leaves the server.
 */
export const CONNECTION_TOKEN_STATE_QUERY = {
  where: { tokenPurpose: BACKEND_TOKEN_PURPOSE },
  select: { refreshToken: true, expiresAt: true, isValid: true, lastError: true },
} as const;
