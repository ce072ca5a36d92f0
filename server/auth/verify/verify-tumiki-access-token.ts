import { queryHotRows, sql } from "../../db-hot-query";
import { InvalidTokenError } from "../oauth-errors";
import { getInstanceResourceUrl } from "../resource-urls";
import { parseScopeString } from "../scopes";
import type { TMcpAuthContext } from "./mcp-auth-context";
import { verifyAccessTokenJwt } from "./verify-access-token-jwt";

// Verifies an access token Tumiki issued (RFC 9068 profile): the JWT itself (verify-access-token-jwt.ts),
// then its issuance record, read by primary key on every request so a revocation takes effect at once,
// with no cache to wait out. So is the instance's owner.

type TIssuanceRecord = {
  instanceId: string;
  userId: string | null;
  clientId: string;
  revokedAt: Date | null;
  ownerId: string | null;
};
const malformed = (cause?: unknown) =>
  new InvalidTokenError("The access token is malformed.", { reason: "malformed_token", cause });

export async function verifyTumikiAccessToken(options: {
  token: string;
  instanceId: string;
}): Promise<Extract<TMcpAuthContext, { kind: "oauth" }>> {
  const { token, instanceId } = options;

  const payload = await verifyAccessTokenJwt({ token, audience: getInstanceResourceUrl(instanceId) });
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
