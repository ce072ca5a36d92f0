import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { EncryptionKey, KeyRing } from "./field-encryption";

// Authenticated encryption (AES-256-GCM) of small values Tumiki hands a client and must trust when they
// come back: ids of requests it relays, `requestState` of multi round-trip requests. Anything a client
// returns is attacker-controlled, so the value is sealed (confidential and tamper-evident), carries its
// expiry, and is bound to a purpose and to whoever it was given to (`binding`: the user and session or
// instance, as additional authenticated data). A value that is altered, expired, opened for another
// purpose or presented by anyone else does not open.
//
// The keys are derived from the field-encryption key ring (HKDF, one key per purpose), so sealed values
// rotate with ENCRYPTION_KEY (those sealed under a previous key still open) and can never be mistaken
// for an encrypted database field or a value of another purpose.
//
// Format: <key id>.<iv>.<ciphertext>.<tag>, the last three base64url; visible ASCII, fit for a JSON-RPC id.

const IV_BYTES = 12;
const TAG_BYTES = 16;

const derived = new WeakMap<Buffer, Map<string, Buffer>>();

function purposeKey(key: EncryptionKey, purpose: string): Buffer {
  let byPurpose = derived.get(key.key);
  if (!byPurpose) {
    byPurpose = new Map();
    derived.set(key.key, byPurpose);
  }
  let value = byPurpose.get(purpose);
  if (!value) {
    value = Buffer.from(hkdfSync("sha256", key.key, "", `tumiki/seal/${purpose}/v1`, 32));
    byPurpose.set(purpose, value);
  }
  return value;
}

const aad = (purpose: string, binding: string) => Buffer.from(`${purpose}\n${binding}`, "utf8");

export function sealPayload({
  ring,
  purpose,
  binding,
  payload,
  ttlMs,
  now = Date.now(),
}: {
  ring: KeyRing;
  purpose: string;
  binding: string;
  payload: unknown;
  ttlMs: number;
  now?: number;
}): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", purposeKey(ring.current, purpose), iv);
  cipher.setAAD(aad(purpose, binding));
  const plaintext = JSON.stringify({ e: now + ttlMs, p: payload });
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [ring.current.id, iv, body, tag]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

/** The sealed payload, or null when the value does not open for this purpose and binding, or expired. */
export function openSealedPayload({
  ring,
  purpose,
  binding,
  sealed,
  now = Date.now(),
}: {
  ring: KeyRing;
  purpose: string;
  binding: string;
  sealed: string;
  now?: number;
}): unknown | null {
  const parts = sealed.split(".");
  if (parts.length < 4) return null;
  const [iv, body, tag] = parts.slice(-3).map((part) => Buffer.from(part as string, "base64url"));
  const keyId = parts.slice(0, -3).join(".");
  const key = [ring.current, ...ring.previous].find((candidate) => candidate.id === keyId);
  if (!key || !iv || !body || !tag || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return null;
  let plaintext: string;
  try {
    const decipher = createDecipheriv("aes-256-gcm", purposeKey(key, purpose), iv, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad(purpose, binding));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
  const opened = JSON.parse(plaintext) as { e?: unknown; p?: unknown };
  if (typeof opened.e !== "number" || opened.e <= now) return null;
  return opened.p ?? null;
}
