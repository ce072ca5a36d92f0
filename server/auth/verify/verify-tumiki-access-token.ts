import { decodeProtectedHeader, jwtVerify } from "jose";
import { queryHotRows, sql } from "../../db-hot-query";
import { InvalidTokenError } from "../oauth-errors";
import { getInstanceResourceUrl, getIssuer } from "../resource-urls";
import { parseScopeString } from "../scopes";
import { findVerificationKey } from "../signing-keys/find-verification-key";
import { ACCESS_TOKEN_TTL_SECONDS, CLOCK_SKEW_SECONDS } from "../token-lifetimes";
import { mapJoseError } from "./map-jose-error";
import type { TMcpAuthContext } from "./mcp-auth-context";

// Verifies an access token Tumiki issued (RFC 9068 profile). The header is checked before any key is
// looked up, so `alg: none`, HS256 "signed" with our public key and any RS256 token are refused by the
// allowlist rather than by luck. The IssuedAccessToken row is read by primary key on every request:
// a revocation takes effect at once, with no cache to wait out. So is the instance's owner.

const ALLOWED_ALGORITHMS = ["ES256"];

type TIssuanceRecord = {
  instanceId: string;
  userId: string | null;
  clientId: string;
  revokedAt: Date | null;
  ownerId: string | null;
};
const ACCESS_TOKEN_TYP = "at+jwt";

const normalizeTyp = (typ: string) => typ.toLowerCase().replace(/^application\//, "");

const malformed = (cause?: unknown) =>
  new InvalidTokenError("The access token is malformed.", { reason: "malformed_token", cause });

export async function verifyTumikiAccessToken(options: {
  token: string;
  instanceId: string;
}): Promise<Extract<TMcpAuthContext, { kind: "oauth" }>> {
  const { token, instanceId } = options;

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
  const key = await findVerificationKey({ kid: header.kid });
  if (!key) {
    throw new InvalidTokenError("The access token's signing key is not known.", { reason: "unknown_kid" });
  }

  const audience = getInstanceResourceUrl(instanceId);
  let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
  try {
    ({ payload } = await jwtVerify(token, key, {
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
  const { sub, jti, scope, client_id: clientId } = payload;
  if (
    typeof sub !== "string" ||
    typeof jti !== "string" ||
    typeof scope !== "string" ||
    typeof clientId !== "string"
  ) {
    throw malformed();
  }

  // The issuance record and the instance's owner in one statement on the hot-query path: this runs on
  // every MCP request (see db-hot-query.ts).
  const [record] = await queryHotRows<TIssuanceRecord>(sql`
    SELECT t."instanceId", t."userId", t."clientId", t."revokedAt",
           (SELECT m."userId" FROM "McpInstance" m WHERE m."id" = ${instanceId}) AS "ownerId"
    FROM "IssuedAccessToken" t WHERE t."jti" = ${jti}`);
  if (!record) {
    throw new InvalidTokenError("The access token is not known to Tumiki.", { reason: "unknown_jti" });
  }
  if (record.revokedAt) {
    throw new InvalidTokenError("The access token has been revoked.", { reason: "revoked" });
  }
  // A signed token that disagrees with its own issuance record is treated as forged.
  if (record.instanceId !== instanceId || (record.userId !== null && record.userId !== sub)) {
    throw new InvalidTokenError("The access token does not match its issuance record.", {
      reason: "token_record_mismatch",
    });
  }
  // As assertInstanceOwner words it: a token holder learns nothing about other users' instances.
  if (record.ownerId !== sub) {
    throw new InvalidTokenError("The credential is not valid for this MCP instance.", {
      reason: record.ownerId === null ? "instance_not_found" : "instance_not_owned",
    });
  }

  return {
    kind: "oauth",
    userId: sub,
    instanceId,
    clientId,
    clientRowId: record.clientId,
    scopes: parseScopeString(scope),
    jti,
  };
}
