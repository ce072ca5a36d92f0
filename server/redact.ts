// The one redaction step shared by the logger and the audit trail. Keys that name a secret lose their
// value; strings anywhere are scrubbed of things shaped like credentials, because secrets also travel
// inside error messages and URLs.

export const REDACTED = "[redacted]";

const SECRET_KEY =
  /(authorization|cookie|password|passwd|secret|token|api[-_]?key|^code$|code[-_]?verifier|assertion|private[-_]?(jwk|key)|^key$|credential|session[-_]?id)/i;

const SECRET_PATTERNS: RegExp[] = [
  // JWTs (three base64url segments, the first a JSON header).
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  // Tumiki API keys.
  /tumiki_[A-Za-z0-9_-]{8,}/g,
  // HTTP auth schemes.
  /\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]+/gi,
  // Credentials in query strings, form bodies and JSON fragments.
  /\b(access_token|refresh_token|id_token|client_secret|code_verifier|code|state|password|api_key|token)(["']?\s*[=:]\s*["']?)[^&\s"',}]+/gi,
];

export function scrubSecrets(text: string): string {
  let result = text;
  for (const pattern of SECRET_PATTERNS) {
    result = result.replace(pattern, (match, name?: string, separator?: string) =>
      typeof separator === "string" && typeof name === "string"
        ? `${name}${separator}${REDACTED}`
        : match.startsWith("Bearer") || match.startsWith("Basic") || match.startsWith("DPoP")
          ? `${match.split(/\s+/)[0]} ${REDACTED}`
          : REDACTED,
    );
  }
  return result;
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A deep copy of `value` with secret-named keys emptied and every string scrubbed. */
export function redactSecrets<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value === "string") return scrubSecrets(value) as T;
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[circular]" as T;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, seen)) as T;
  if (value instanceof Date) return value;
  if (value instanceof Error) {
    // The cause is where libraries (Auth.js, Prisma) keep the actual failure.
    return redactSecrets(
      {
        type: value.name,
        message: value.message,
        stack: value.stack,
        code: (value as { code?: unknown }).code,
        ...(value.cause === undefined ? {} : { cause: value.cause }),
      },
      seen,
    ) as T;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && item !== null && item !== undefined ? REDACTED : redactSecrets(item, seen);
  }
  return out as T;
}
