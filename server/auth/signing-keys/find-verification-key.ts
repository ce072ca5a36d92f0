import { importJWK, type JWK } from "jose";
import { getDb } from "../../db";
import { publishedKeysWhere } from "./published-keys-where";

// The public key for a token's `kid`, from the same set the JWKS publishes (expiresAt null or in the
// future). The set is cached for a minute; an unknown kid reloads it at most every five seconds, so a
// key another process just created is found quickly while a flood of made-up kids costs one query per
// five seconds, not one per request.

const CACHE_MS = 60_000;
const UNKNOWN_KID_RELOAD_MS = 5_000;

type PublishedKey = { key: CryptoKey; expiresAt: Date | null };

let cache: { keys: Map<string, PublishedKey>; loadedAt: number } | undefined;

async function loadKeys(now: Date) {
  const rows = await getDb().signingKey.findMany({
    where: publishedKeysWhere({ now }),
    select: { id: true, publicJwk: true, expiresAt: true },
  });
  const keys = new Map<string, PublishedKey>();
  for (const row of rows) {
    const key = (await importJWK(row.publicJwk as JWK, "ES256")) as CryptoKey;
    keys.set(row.id, { key, expiresAt: row.expiresAt });
  }
  cache = { keys, loadedAt: now.getTime() };
  return keys;
}

/** The ES256 public key for `kid`, or null when the kid is unknown or its key has expired. */
export async function findVerificationKey({
  kid,
  now = new Date(),
}: {
  kid: string;
  now?: Date;
}): Promise<CryptoKey | null> {
  const age = cache ? now.getTime() - cache.loadedAt : Number.POSITIVE_INFINITY;
  let keys = cache && age >= 0 && age < CACHE_MS ? cache.keys : await loadKeys(now);
  if (!keys.has(kid) && cache && now.getTime() - cache.loadedAt >= UNKNOWN_KID_RELOAD_MS) {
    keys = await loadKeys(now);
  }
  const found = keys.get(kid);
  if (!found || (found.expiresAt && found.expiresAt <= now)) return null;
  return found.key;
}
