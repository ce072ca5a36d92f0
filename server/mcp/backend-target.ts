import type { TInstanceBackend } from "./get-instance-backends";

/** One backend server as seen from one Tumiki session: whose credential, which session keys. */
export type TBackendTarget = {
  userId: string;
  /** The hashed Tumiki session id its backend session is stored under. */
  sessionKey: string;
  backend: TInstanceBackend;
};

/** Any backend answer may be this large: big enough for real tool results, bounded against abuse. */
export const MAX_BACKEND_RESPONSE_BYTES = 32 * 1024 * 1024;
