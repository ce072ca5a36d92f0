import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import type { AiClient } from "../../generated/prisma/client";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { InvalidClientError, InvalidTargetError, UnauthorizedClientError } from "../oauth-errors";
import { getInstanceResourceUrl } from "../resource-urls";
import { ALL_SERVERS_SCOPE, parseScopeString } from "../scopes";
import { getActiveSigningKey } from "../signing-keys/get-active-signing-key";
import { issueAccessToken } from "./issue-access-token";
import { narrowGrantedScopes } from "./narrow-granted-scopes";
import { recordClientUse } from "./record-client-use";
import type { TTokenResponse } from "./token-request-schemas";

// The client_credentials grant (RFC 6749 §4.4) for machine-to-machine clients a user pre-registered in
// the dashboard: the client acts for its owner on its one instance, within the scope the owner gave
// it (none recorded means the whole instance, as for an authorization request without `scope`). Only
// a confidential client may use it, and it gets no refresh token (§4.4.3).

export async function grantClientCredentials({
  client,
  scope,
  resource,
  origin,
  now = new Date(),
}: {
  client: AiClient;
  scope?: string;
  resource?: string;
  origin: TRequestOrigin;
  now?: Date;
}): Promise<TTokenResponse> {
  if (
    client.kind !== "M2M" ||
    client.tokenEndpointAuthMethod === "none" ||
    !client.clientSecretHash ||
    !client.ownerUserId ||
    !client.instanceId
  ) {
    throw new UnauthorizedClientError("This client may not use client_credentials.", {
      reason: "client_credentials_not_allowed",
    });
  }
  const { ownerUserId, instanceId } = client;
  const instance = await getDb().mcpInstance.findUnique({
    where: { id: instanceId },
    select: { userId: true },
  });
  if (instance?.userId !== ownerUserId) {
    throw new UnauthorizedClientError("This client's instance is no longer available.", {
      reason: "instance_not_owned",
    });
  }
  if (resource !== undefined && resource !== getInstanceResourceUrl(instanceId)) {
    throw new InvalidTargetError("resource is not this client's instance.", { reason: "resource_mismatch" });
  }
  const registered = parseScopeString(client.scope);
  const scopes = await narrowGrantedScopes({
    granted: registered.length > 0 ? registered : [ALL_SERVERS_SCOPE],
    requested: scope,
    instanceId,
  });
  const signingKey = await getActiveSigningKey({ now });
  const issued = await getDb().$transaction(async (tx) => {
    // The client may be deleted while this request runs. deleteM2mClient disables the row, then revokes
    // its tokens, in one transaction: FOR SHARE waits for such a deletion to commit and then finds the
    // row disabled, and a deletion that starts later waits for this token to commit and revokes it. A
    // token is never committed unseen by the revocation.
    const live = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "AiClient" WHERE "id" = ${client.id} AND "disabledAt" IS NULL FOR SHARE`;
    if (live.length === 0) {
      throw new InvalidClientError("Client authentication failed.", { reason: "client_disabled" });
    }
    return issueAccessToken({ client, userId: ownerUserId, instanceId, scopes, signingKey, db: tx, now });
  });
  await recordClientUse({ clientId: client.id, now });

  writeAuditEvent({
    eventType: "oauth.token_issued",
    outcome: "SUCCESS",
    actorUserId: ownerUserId,
    clientId: client.id,
    instanceId,
    ...origin,
    detail: { grantType: "client_credentials", scope: issued.scope },
  });
  return {
    access_token: issued.accessToken,
    token_type: "Bearer",
    expires_in: issued.expiresIn,
    scope: issued.scope,
  };
}
