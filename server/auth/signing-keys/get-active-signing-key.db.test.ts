import { decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  CLOCK_SKEW_SECONDS,
  SIGNING_KEY_ROTATION_SECONDS,
} from "../token-lifetimes";
import { findVerificationKey } from "./find-verification-key";
import { getActiveSigningKey } from "./get-active-signing-key";
import { listPublishedJwks } from "./list-published-jwks";

const db = getDb();
const DAY = 24 * 3600 * 1000;

describe("signing keys", () => {
  it("creates one key, stores the private JWK encrypted, publishes only its public half", async () => {
    const now = new Date();
    const [a, b] = await Promise.all([getActiveSigningKey({ now }), getActiveSigningKey({ now })]);
    expect(a.kid).toBe(b.kid);
    expect(await db.signingKey.count()).toBe(1);

    const [raw] = await db.$queryRawUnsafe<{ privateJwk: string }[]>(`SELECT "privateJwk" FROM "SigningKey"`);
    expect(raw?.privateJwk).not.toContain('"d"');
    const jwks = await listPublishedJwks({ now });
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: a.kid, alg: "ES256", use: "sig", kty: "EC", crv: "P-256" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });

  it("rotates after the rotation period, keeps the old key published until its tokens expired", async () => {
    const start = new Date(Date.now() + 1000 * DAY);
    const old = await getActiveSigningKey({ now: start });
    const oldToken = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: old.kid })
      .setExpirationTime("15m")
      .sign(old.privateKey);

    const rotatedAt = new Date(start.getTime() + SIGNING_KEY_ROTATION_SECONDS * 1000);
    const current = await getActiveSigningKey({ now: rotatedAt });
    expect(current.kid).not.toBe(old.kid);
    const oldRow = await db.signingKey.findUniqueOrThrow({ where: { id: old.kid } });
    expect(oldRow.retiredAt).toEqual(rotatedAt);
    expect(oldRow.expiresAt?.getTime()).toBe(
      rotatedAt.getTime() + (ACCESS_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS) * 1000,
    );

    // Both published, and the old key still verifies what it signed.
    const kids = (await listPublishedJwks({ now: rotatedAt })).keys.map((key) => key.kid);
    expect(kids).toEqual(expect.arrayContaining([old.kid, current.kid]));
    const oldKey = await findVerificationKey({ kid: old.kid, now: rotatedAt });
    expect(oldKey).not.toBeNull();
    await expect(jwtVerify(oldToken, oldKey as CryptoKey)).resolves.toBeDefined();

    // After its expiry the old key is gone from the JWKS and from verification.
    const afterExpiry = new Date((oldRow.expiresAt as Date).getTime() + 1000);
    const later = (await listPublishedJwks({ now: afterExpiry })).keys.map((key) => key.kid);
    expect(later).not.toContain(old.kid);
    expect(later).toContain(current.kid);
    expect(await findVerificationKey({ kid: old.kid, now: afterExpiry })).toBeNull();
    expect(await findVerificationKey({ kid: current.kid, now: afterExpiry })).not.toBeNull();
    expect(decodeProtectedHeader(oldToken).kid).toBe(old.kid);
  });

  it("finds no key for an unknown kid", async () => {
    expect(await findVerificationKey({ kid: "no-such-kid" })).toBeNull();
  });
});
