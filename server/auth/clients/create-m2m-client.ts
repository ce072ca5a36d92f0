import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { AppError } from "../../errors";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { generateOpaqueSecret, generateRandomId, hashOpaqueSecret, SECRET_PREFIX } from "../opaque-secrets";
import { resolveInstanceScopes } from "../resolve-instance-scopes";
import { formatScopeString, isOfferedScope } from "../scopes";
import type { TCreateM2mClientInput } from "./m2m-client-schemas";

// A machine-to-machine client (the plan's Auth0 M2M path): a confidential client a user registers for one
// of their instances, which obtains tokens with client_credentials and acts for that user within the
// scopes given here (server scopes, or tool scopes of the instance's servers). The secret is returned
// once; only its hash is stored.

export type TCreatedM2mClient = { id: string; clientId: string; clientSecret: string };

export async function createM2mClient({
  userId,
  instanceId,
  name,
  scopes,
  origin,
}: TCreateM2mClientInput & { userId: string; origin?: TRequestOrigin }): Promise<TCreatedM2mClient> {
  const instance = await resolveInstanceScopes({ instanceId, userId });
  if (!instance) {
    throw new AppError("NOT_FOUND", {
      message: "m2m client for an unknown instance",
      userMessage: "Instance not found.",
    });
  }
  const requested = [...new Set(scopes)];
  const unknown = requested.filter((scope) => !isOfferedScope(instance.scopes, scope));
  if (unknown.length > 0) {
    const what = `${unknown.length === 1 ? "the scope" : "the scopes"} ${unknown.join(", ")}`;
    throw new AppError("BAD_REQUEST", {
      userMessage: `This instance does not offer ${what}.`,
    });
  }

  const clientId = generateRandomId();
  const clientSecret = generateOpaqueSecret(SECRET_PREFIX.clientSecret);
  const client = await getDb().aiClient.create({
    data: {
      clientId,
      kind: "M2M",
      clientSecretHash: hashOpaqueSecret(clientSecret),
      name,
      redirectUris: [],
      grantTypes: ["client_credentials"],
      responseTypes: [],
      tokenEndpointAuthMethod: "client_secret_basic",
      scope: formatScopeString(requested),
      ownerUserId: userId,
      instanceId,
    },
  });

  writeAuditEvent({
    eventType: "oauth.client_registered",
    outcome: "SUCCESS",
    actorUserId: userId,
    clientId: client.id,
    instanceId,
    ip: origin?.ip,
    userAgent: origin?.userAgent,
    detail: { kind: "M2M", name, scopes: requested },
  });
  return { id: client.id, clientId, clientSecret };
}
