import { decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";
import { InvalidTokenError } from "../oauth-errors";
import { getIssuer } from "../resource-urls";
import { findVerificationKey } from "../signing-keys/find-verification-key";
import { ACCESS_TOKEN_TTL_SECONDS, CLOCK_SKEW_SECONDS } from "../token-lifetimes";
import { mapJoseError } from "./map-jose-error";

// The JWT of an access token Tumiki issued (RFC 9068 profile), for one audience. The header is checked
// before any key is looked up, so `alg: none`, HS256 "signed" with our public key and any RS256 token
// are refused by the allowlist rather than by luck.
//
// A verified token is remembered for at most a minute (never past its expiry): an AI client sends the
// same token with every request, and the ES256 check is a noticeable share of each. A minute is how long
// the signing-key set is cached anyway (find-verification-key.ts), so a withdrawn key stops working no
// later than before. Revocation is not affected: the caller reads the issuance record every time.

const ALLOWED_ALGORITHMS = ["ES256"];
const ACCESS_TOKEN_TYP = "at+jwt";
const REMEMBER_MS = 60_000;
const MAX_REMEMBERED = 5_000;

const normalizeTyp = (typ: string) => typ.toLowerCase().replace(/^application\//, "");

const malformed = (cause?: unknown) =>
  new InvalidTokenError("The access token is malformed.", { reason: "malformed_token", cause });

const remembered = new Map<string, { payload: JWTPayload; until: number }>();

function remember(key: string, payload: JWTPayload, now: number): void {
  const expiresAt = typeof payload.exp === "number" ? payload.exp * 1000 : now;
  if (remembered.size >= MAX_REMEMBERED) {
    const oldest = remembered.keys().next().value;
    if (oldest !== undefined) remembered.delete(oldest);
  }
  remembered.set(key, { payload, until: Math.min(now + REMEMBER_MS, expiresAt) });
}

export async function verifyAccessTokenJwt({
  token,
  audience,
}: {
  token: string;
  audience: string;
}): Promise<JWTPayload> {
  const key = `${audience}\n${token}`;
  const now = Date.now();
  const known = remembered.get(key);
  if (known && now < known.until) return known.payload;
  remembered.delete(key);

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (error) {
    throw malformed(error);
  }
  if (typeof header.alg !== "string" || !ALLOWED_ALGORITHMS.includes(header.alg)) {
    throw new InvalidTokenError("The access token must be signed with ES256.", { reason: "wrong_alg" });
  }
  if (typeof header.typ !== "string" || normalizeTyp(header.typ) !== ACCESS_TOKEN_TYP) {
    throw new InvalidTokenError("The access token's typ header must be at+jwt.", { reason: "wrong_typ" });
  }
  if (typeof header.kid !== "string" || header.kid === "") {
    throw new InvalidTokenError("The access token's signing key is not known.", { reason: "unknown_kid" });
  }
  const verificationKey = await findVerificationKey({ kid: header.kid });
  if (!verificationKey) {
    throw new InvalidTokenError("The access token's signing key is not known.", { reason: "unknown_kid" });
  }

  let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
  try {
    ({ payload } = await jwtVerify(token, verificationKey, {
      algorithms: ALLOWED_ALGORITHMS,
      typ: ACCESS_TOKEN_TYP,
      issuer: getIssuer(),
      audience,
      clockTolerance: CLOCK_SKEW_SECONDS,
      // Also makes jose refuse an `iat` in the future (beyond the skew) and a token living too long.
      maxTokenAge: ACCESS_TOKEN_TTL_SECONDS,
      requiredClaims: ["sub", "client_id", "scope", "jti", "exp", "iat"],
    }));
  } catch (error) {
    throw mapJoseError(error);
  }
  // jose accepts an `aud` array that merely contains ours; Tumiki issues one audience, exactly.
  if (payload.aud !== audience) {
    throw new InvalidTokenError("The access token is not for this MCP instance.", {
      reason: "wrong_audience",
    });
  }
  remember(key, payload, now);
  return payload;
}
