import type { Prisma } from "../../generated/prisma/client";

/** The keys in the JWKS and accepted for verification: not expired (a retired key stays until then). */
export function publishedKeysWhere({ now }: { now: Date }): Prisma.SigningKeyWhereInput {
  return { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}
