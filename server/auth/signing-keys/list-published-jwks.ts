import type { JWK } from "jose";
import { getDb } from "../../db";
import { publishedKeysWhere } from "./published-keys-where";

// The public half of every key whose tokens may still be valid: the active key and retired keys until
// their expiresAt. Private key material never leaves the database row it is encrypted in.

export type TPublishedJwks = { keys: JWK[] };

export async function listPublishedJwks({ now = new Date() }: { now?: Date } = {}): Promise<TPublishedJwks> {
  const rows = await getDb().signingKey.findMany({
    where: publishedKeysWhere({ now }),
    select: { publicJwk: true },
    orderBy: { createdAt: "desc" },
  });
  return { keys: rows.map((row) => row.publicJwk as JWK) };
}
