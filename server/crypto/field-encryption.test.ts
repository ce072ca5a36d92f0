import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptString, encryptString, parseKeyRing } from "./field-encryption";

const keyIdOf = (ciphertext: string) => ciphertext.split(":")[2];

/** enc, v1, key id, iv, body, tag */
const splitCiphertext = (ciphertext: string) =>
  ciphertext.split(":") as [string, string, string, string, string, string];

const key = (id: string) => `${id}:${randomBytes(32).toString("base64")}`;

describe("field encryption", () => {
  const ring = parseKeyRing(key("k1"), []);

  it("round-trips and never contains the plaintext", () => {
    const ciphertext = encryptString(ring, "secret-token-value", "OAuthToken.accessToken:row1");
    expect(ciphertext).not.toContain("secret-token-value");
    expect(ciphertext.startsWith("enc:v1:k1:")).toBe(true);
    expect(decryptString(ring, ciphertext, "OAuthToken.accessToken:row1")).toBe("secret-token-value");
  });

  it("uses a fresh IV, so equal plaintexts give different ciphertexts", () => {
    const a = encryptString(ring, "same", "ctx");
    const b = encryptString(ring, "same", "ctx");
    expect(a).not.toBe(b);
  });

  it("rejects a ciphertext bound to another row or field", () => {
    const ciphertext = encryptString(ring, "value", "OAuthToken.accessToken:row1");
    expect(() => decryptString(ring, ciphertext, "OAuthToken.accessToken:row2")).toThrow(
      /authentication failed/,
    );
    expect(() => decryptString(ring, ciphertext, "OAuthToken.refreshToken:row1")).toThrow(
      /authentication failed/,
    );
  });

  it("rejects a tampered ciphertext, tag or key id", () => {
    const ciphertext = encryptString(ring, "value", "ctx");
    const [prefix, version, keyId, iv, body, tag] = splitCiphertext(ciphertext);
    const flip = (part: string) => {
      const bytes = Buffer.from(part, "base64url");
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString("base64url");
    };
    const join = (parts: string[]) => parts.join(":");
    const tampered = [
      [prefix, version, keyId, iv, flip(body), tag],
      [prefix, version, keyId, iv, body, flip(tag)],
      [prefix, version, keyId, flip(iv), body, tag],
    ];
    for (const parts of tampered) {
      expect(() => decryptString(ring, join(parts), "ctx")).toThrow(/authentication failed/);
    }
    expect(() => decryptString(ring, join([prefix, version, "nope", iv, body, tag]), "ctx")).toThrow(
      /unknown key id/,
    );
    expect(() => decryptString(ring, "plain text", "ctx")).toThrow(/not a Tumiki ciphertext/);
  });

  it("refuses a truncated tag or an IV of the wrong size, which GCM would otherwise accept", () => {
    const ciphertext = encryptString(ring, "value", "ctx");
    const [prefix, version, keyId, iv, body, tag] = splitCiphertext(ciphertext);
    const shortTag = Buffer.from(tag, "base64url").subarray(0, 4).toString("base64url");
    expect(() => decryptString(ring, [prefix, version, keyId, iv, body, shortTag].join(":"), "ctx")).toThrow(
      /malformed/,
    );
    const longIv = Buffer.concat([Buffer.from(iv, "base64url"), Buffer.alloc(4)]).toString("base64url");
    expect(() => decryptString(ring, [prefix, version, keyId, longIv, body, tag].join(":"), "ctx")).toThrow(
      /malformed/,
    );
  });

  it("rotates: the new current key encrypts, the previous key still decrypts", () => {
    const oldKey = key("old");
    const before = parseKeyRing(oldKey, []);
    const stored = encryptString(before, "value", "ctx");
    const after = parseKeyRing(key("new"), [oldKey]);
    expect(decryptString(after, stored, "ctx")).toBe("value");
    expect(keyIdOf(encryptString(after, "value", "ctx"))).toBe("new");
    const withoutOld = parseKeyRing(key("new2"), []);
    expect(() => decryptString(withoutOld, stored, "ctx")).toThrow(/unknown key id "old"/);
  });

  it("refuses malformed or duplicate keys", () => {
    expect(() => parseKeyRing(`k:${randomBytes(16).toString("base64")}`, [])).toThrow(/32 bytes/);
    const same = key("dup");
    expect(() => parseKeyRing(same, [key("dup")])).toThrow(/unique/);
  });
});
