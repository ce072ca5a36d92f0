import { createHash } from "node:crypto";

/** Short, stable stand-in for a token in test output and assertions (never print the token itself). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 16);
}
