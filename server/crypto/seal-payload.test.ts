import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseKeyRing } from "./field-encryption";
import { openSealedPayload, sealPayload } from "./seal-payload";

const keyEntry = (id: string) => `${id}:${randomBytes(32).toString("base64")}`;
const ring = parseKeyRing(keyEntry("k1"), []);
const base = { ring, purpose: "relay", binding: "user-1\nsession-1" };

describe("sealPayload / openSealedPayload", () => {
  it("round-trips a payload for the same purpose and binding, as visible ASCII", () => {
    // A marker long enough that random ciphertext never spells it: the payload is not readable in the
    // sealed text, neither as it is nor in base64url.
    const payload = { server: "server-of-the-sealed-payload", id: 7 };
    const sealed = sealPayload({ ...base, payload, ttlMs: 60_000 });
    expect(sealed).toMatch(/^[\x21-\x7e]+$/);
    expect(sealed).not.toContain(payload.server);
    expect(sealed).not.toContain(Buffer.from(JSON.stringify(payload)).toString("base64url").slice(0, 20));
    expect(openSealedPayload({ ...base, sealed })).toEqual(payload);
  });

  it("does not open for another binding (another user or session) or another purpose", () => {
    const sealed = sealPayload({ ...base, payload: { id: 1 }, ttlMs: 60_000 });
    expect(openSealedPayload({ ...base, binding: "user-2\nsession-1", sealed })).toBeNull();
    expect(openSealedPayload({ ...base, binding: "user-1\nsession-2", sealed })).toBeNull();
    expect(openSealedPayload({ ...base, purpose: "request-state", sealed })).toBeNull();
  });

  it("does not open once expired", () => {
    const now = Date.now();
    const sealed = sealPayload({ ...base, payload: { id: 1 }, ttlMs: 1_000, now });
    expect(openSealedPayload({ ...base, sealed, now: now + 999 })).toEqual({ id: 1 });
    expect(openSealedPayload({ ...base, sealed, now: now + 1_000 })).toBeNull();
  });

  it("does not open when any byte was changed, or when it is not a sealed value at all", () => {
    const sealed = sealPayload({ ...base, payload: { id: 1 }, ttlMs: 60_000 });
    const parts = sealed.split(".");
    for (let index = 1; index < parts.length; index += 1) {
      const part = Buffer.from(parts[index] as string, "base64url");
      part[0] = (part[0] ?? 0) ^ 1;
      const tampered = [...parts];
      tampered[index] = part.toString("base64url");
      expect(openSealedPayload({ ...base, sealed: tampered.join(".") })).toBeNull();
    }
    for (const junk of ["", "abc", "k1.a.b.c", `${sealed}x`, "k9.AAAA.AAAA.AAAA"]) {
      expect(openSealedPayload({ ...base, sealed: junk })).toBeNull();
    }
  });

  it("opens values sealed under a previous key after rotation, and not under an unknown one", () => {
    const sealed = sealPayload({ ...base, payload: { id: 1 }, ttlMs: 60_000 });
    const rotated = parseKeyRing(keyEntry("k2"), [
      keyEntry("k1").replace(/:.*/, `:${ring.current.key.toString("base64")}`),
    ]);
    expect(openSealedPayload({ ...base, ring: rotated, sealed })).toEqual({ id: 1 });
    const unrelated = parseKeyRing(keyEntry("k1"), []);
    expect(openSealedPayload({ ...base, ring: unrelated, sealed })).toBeNull();
  });
});
