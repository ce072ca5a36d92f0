import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "../errors";

// AES-256-GCM for values Tumiki must read back (backend tokens, client secrets, private keys).
// A ciphertext names the key that made it, so keys rotate: the current key encrypts, previous keys
// still decrypt. The caller's `context` is bound as additional authenticated data, so a ciphertext
// copied to another row or field fails to decrypt instead of yielding another row's secret.
//
// Format: enc:v1:<key id>:<iv>:<ciphertext>:<tag>, the last three base64url.

const PREFIX = "enc:v1:";
const IV_BYTES = 12;
// Node accepts GCM tags down to 4 bytes unless told otherwise; a short tag makes forgery cheap.
const TAG_BYTES = 16;

export type EncryptionKey = { id: string; key: Buffer };
export type KeyRing = { current: EncryptionKey; previous: EncryptionKey[] };

export class DecryptionError extends AppError {
  constructor(reason: string) {
    super("INTERNAL", { message: `field decryption failed: ${reason}` });
    this.name = "DecryptionError";
  }
}

/** Parses `<key id>:<base64 32 bytes>` entries (ENCRYPTION_KEY, ENCRYPTION_PREVIOUS_KEYS). */
export function parseKeyRing(current: string, previous: string[]): KeyRing {
  const parse = (entry: string): EncryptionKey => {
    const [id, material] = entry.split(":");
    const key = Buffer.from(material ?? "", "base64");
    if (!id || key.length !== 32) {
      throw new AppError("INTERNAL", { message: "an encryption key must be <id>:<base64 of 32 bytes>" });
    }
    return { id, key };
  };
  const ring = { current: parse(current), previous: previous.map(parse) };
  const ids = [ring.current, ...ring.previous].map((k) => k.id);
  if (new Set(ids).size !== ids.length) {
    throw new AppError("INTERNAL", { message: "encryption key ids must be unique" });
  }
  return ring;
}

export function isCiphertext(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}

export function encryptString(ring: KeyRing, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", ring.current.key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `${PREFIX}${ring.current.id}:${iv.toString("base64url")}:${body.toString("base64url")}:${tag.toString("base64url")}`;
}

export function decryptString(ring: KeyRing, ciphertext: string, context: string): string {
  if (!isCiphertext(ciphertext)) throw new DecryptionError("not a Tumiki ciphertext");
  const parts = ciphertext.slice(PREFIX.length).split(":");
  if (parts.length !== 4) throw new DecryptionError("malformed ciphertext");
  const [keyId, iv, body, tag] = parts as [string, string, string, string];
  const key = [ring.current, ...ring.previous].find((k) => k.id === keyId);
  if (!key) throw new DecryptionError(`unknown key id "${keyId}"`);
  const ivBytes = Buffer.from(iv, "base64url");
  const tagBytes = Buffer.from(tag, "base64url");
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES)
    throw new DecryptionError("malformed ciphertext");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    // GCM says only "unable to authenticate": tampered, wrong key, or bound to another row or field.
    throw new DecryptionError("authentication failed");
  }
}
