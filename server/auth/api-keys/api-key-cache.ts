import { z } from "zod";

// The Redis entry verify-api-key.ts keeps per key, and the tombstone revoke-api-key.ts writes over it.
// Only non-secret fields are cached; the key is addressed by its hash, which is what the database
// stores too.

export const API_KEY_CACHE_TTL_MS = 60_000;
export const API_KEY_REVOKED_MARKER = "revoked";

export const ZCachedApiKey = z.object({
  id: z.string(),
  userId: z.string(),
  instanceId: z.string(),
  scopes: z.array(z.string()),
  expiresAt: z.string().nullable(),
});

export type TCachedApiKey = z.infer<typeof ZCachedApiKey>;

export function getApiKeyCacheKey(keyHash: string): string {
  return `api_key:${keyHash}`;
}
