import type { TInstanceBackend } from "./get-instance-backends";

/**
 * One backend server as one caller reaches it: whose credential, and what Tumiki declares to the
 * backend on the client's behalf. A legacy (2025) backend's sessions hang off `sessionKey`: the hashed
 * Tumiki session of a 2025 client, or, for a 2026-07-28 client (which has no session), a key shared by
 * the user's requests that declare the same capabilities (see resolve-backend-channel.ts).
 */
export type TBackendTarget = {
  userId: string;
  sessionKey: string;
  backend: TInstanceBackend;
  /** The client capabilities Tumiki declares to the backend: the client's own (elicitation, sampling, roots). */
  capabilities: Record<string, unknown>;
};

/** Any backend answer may be this large: big enough for real tool results, bounded against abuse. */
export const MAX_BACKEND_RESPONSE_BYTES = 32 * 1024 * 1024;
