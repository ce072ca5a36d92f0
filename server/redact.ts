// The one redaction step shared by the logger and the audit trail. Keys that name a secret lose their
// value; strings anywhere are scrubbed of things shaped like credentials, because secrets also travel
// inside error messages and URLs.

export const REDACTED = "[redacted]";

const SECRET_KEY =
  /(authorization|cookie|password|passwd|secret|token|api[-_]?key|^code$|code[-_]?verifier|assertion|private[-_]?(jwk|key)|^key$|credential|session[-_]?id)/i;

type Scrubber = { pattern: RegExp; replace: (match: string, ...groups: string[]) => string };

const SECRET_SCRUBBERS: Scrubber[] = [
  // JWTs (three base64url segments, the first a JSON header).
  { pattern: /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, replace: () => REDACTED },
  // Tumiki API keys, codes, refresh tokens and client secrets, and well-known vendor token prefixes (GitHub, OpenAI-style, Slack, Notion, Linear).
  {
    pattern:
      /\b(?:tumiki_|tmk_(?:ac|rt|cs)_|ghp_|gho_|ghs_|ghu_|github_pat_|sk-|xox[abprs]-|secret_|ntn_|lin_api_)[A-Za-z0-9_-]{8,}/g,
    replace: () => REDACTED,
  },
  // HTTP auth schemes.
  {
    pattern: /\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]+/gi,
    replace: (_m, scheme = "") => `${scheme} ${REDACTED}`,
  },
  // Credentials in query strings, form bodies and JSON fragments.
  {
    pattern:
      /\b(access_token|refresh_token|id_token|client_secret|code_verifier|code|state|password|api_key|token)(["']?\s*[=:]\s*["']?)[^&\s"',}]+/gi,
    replace: (_m, name = "", separator = "") => `${name}${separator}${REDACTED}`,
  },
  // An opaque value of token length after a word that names a secret: "token 8f7a…", "x-api-key: sk…",
  // "Authorization: token ghp…", "refresh_token 8f7a…".
  {
    pattern:
      /\b([A-Za-z_-]*(?:token|secret|password|passwd|api[-_]?key|authorization|credential|cookie)s?)(\s*[:=]\s*|\s+)((?:Bearer|Basic|DPoP|token)\s+)?(["']?)[A-Za-z0-9._~+/=-]{16,}/gi,
    replace: (_m, name = "", separator = "", scheme = "", quote = "") =>
      `${name}${separator}${scheme}${quote}${REDACTED}`,
  },
];

export function scrubSecrets(text: string): string {
  let result = text;
  for (const { pattern, replace } of SECRET_SCRUBBERS) {
    result = result.replace(pattern, (match, ...groups) => replace(match, ...(groups as string[])));
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
