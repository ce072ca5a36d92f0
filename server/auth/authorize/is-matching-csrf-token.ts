import { createHash, timingSafeEqual } from "node:crypto";

// Constant-time comparison of CSRF values. Both are hashed first so that the comparison takes the same
// time whatever their lengths: timingSafeEqual itself needs equal lengths and would leak them.

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export function isMatchingCsrfToken({
  expected,
  presented,
}: {
  expected: string | null | undefined;
  presented: string | null | undefined;
}): boolean {
  if (!expected || !presented) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}
