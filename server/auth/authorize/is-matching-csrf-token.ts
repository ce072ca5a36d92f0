import { hashOpaqueSecret, isSecretMatchingHash } from "../opaque-secrets";

// Constant-time comparison of CSRF values, through the comparison every opaque secret uses: both sides
// are hashed first, so the time taken does not depend on their lengths either.

export function isMatchingCsrfToken({
  expected,
  presented,
}: {
  expected: string | null | undefined;
  presented: string | null | undefined;
}): boolean {
  if (!expected || !presented) return false;
  return isSecretMatchingHash(presented, hashOpaqueSecret(expected));
}
