import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// Opaque credentials Tumiki hands out (authorization codes, refresh tokens, client secrets, API keys)
// carry 256 random bits, so a plain SHA-256 is a safe way to store them: only the hash is kept and
// looked up, and a leaked table gives nothing to replay. Prefixes tell them apart in a support ticket
// and let the log scrubber (server/redact.ts) catch them.

export const SECRET_PREFIX = {
  authorizationCode: "tmk_ac_",
  refreshToken: "tmk_rt_",
  clientSecret: "tmk_cs_",
  apiKey: "tumiki_",
} as const;

export function generateOpaqueSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

/** Hex SHA-256: what is stored and looked up for every opaque secret. */
export function hashOpaqueSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function isSecretMatchingHash(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashOpaqueSecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** A random, unguessable identifier (client ids, jti). */
export function generateRandomId(bytes = 16): string {
  return randomBytes(bytes).toString("base64url");
}
