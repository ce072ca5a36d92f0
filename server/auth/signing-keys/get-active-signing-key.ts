import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { getDb } from "../../db";
import { generateRandomId } from "../opaque-secrets";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  CLOCK_SKEW_SECONDS,
  SIGNING_KEY_ROTATION_SECONDS,
} from "../token-lifetimes";

// The ES256 key that signs new access tokens: the newest key not yet retired. A key older than the
// rotation period is replaced; the one it replaces stays published (expiresAt) until every token it
// signed has expired. Rotation runs under a transaction-scoped advisory lock and re-reads inside it,
// so two processes that notice an old key at once create one key, not two. Keys are not per-session
// state, so a process may keep the active one in memory for a minute.

const CACHE_MS = 60_000;
// Any fixed 64-bit number, unique to this lock in the application.
const ROTATION_LOCK_ID = 7_310_955_482_116_001n;

export type TActiveSigningKey = { kid: string; privateKey: CryptoKey };

type CachedKey = TActiveSigningKey & { createdAt: Date; cachedUntil: number };

let cached: CachedKey | undefined;

const isRotationDue = (createdAt: Date, now: Date) =>
  now.getTime() - createdAt.getTime() >= SIGNING_KEY_ROTATION_SECONDS * 1000;

async function toActiveKey(row: { id: string; privateJwk: string; createdAt: Date }, now: Date) {
  const privateKey = (await importJWK(JSON.parse(row.privateJwk) as JWK, "ES256")) as CryptoKey;
  return { kid: row.id, privateKey, createdAt: row.createdAt, cachedUntil: now.getTime() + CACHE_MS };
}

async function rotateSigningKey(now: Date) {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = generateRandomId();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "ES256" };
  const db = getDb();
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ROTATION_LOCK_ID})`;
    const newest = await tx.signingKey.findFirst({
      where: { retiredAt: null },
      orderBy: { createdAt: "desc" },
    });
    // Another process rotated while this one waited for the lock: use its key.
    if (newest && !isRotationDue(newest.createdAt, now)) return newest;
    const retiredUntil = new Date(now.getTime() + (ACCESS_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS) * 1000);
    await tx.signingKey.updateMany({
      where: { retiredAt: null },
      data: { retiredAt: now, expiresAt: retiredUntil },
    });
    return tx.signingKey.create({
      data: {
        id: kid,
        algorithm: "ES256",
        publicJwk,
        privateJwk: JSON.stringify(privateJwk),
        createdAt: now,
      },
    });
  });
}

/** The key to sign a new access token with; creates or rotates it when due. `now` exists for tests. */
export async function getActiveSigningKey({
  now = new Date(),
}: {
  now?: Date;
} = {}): Promise<TActiveSigningKey> {
  if (cached && now.getTime() < cached.cachedUntil && !isRotationDue(cached.createdAt, now)) {
    return { kid: cached.kid, privateKey: cached.privateKey };
  }
  const newest = await getDb().signingKey.findFirst({
    where: { retiredAt: null },
    orderBy: { createdAt: "desc" },
  });
  const row = newest && !isRotationDue(newest.createdAt, now) ? newest : await rotateSigningKey(now);
  cached = await toActiveKey(row, now);
  return { kid: cached.kid, privateKey: cached.privateKey };
}
