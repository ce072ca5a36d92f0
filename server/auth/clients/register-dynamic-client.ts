import type { z } from "zod";
import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { InvalidClientMetadataError, InvalidRedirectUriError } from "../oauth-errors";
import { generateOpaqueSecret, generateRandomId, hashOpaqueSecret, SECRET_PREFIX } from "../opaque-secrets";
import { type TApplicationType, type TClientMetadata, ZClientMetadata } from "./client-metadata-schema";
import { resolveApplicationType } from "./resolve-application-type";
import { assertValidRedirectUri } from "./validate-redirect-uri";

// Dynamic Client Registration (RFC 7591) for MCP clients that hold no client_id for Tumiki and cannot
// present a Client ID Metadata Document. MCP 2026-07-28 deprecates DCR in favour of those documents
// (which Tumiki prefers: no row per install, a name tied to a domain) but keeps it for the clients that
// only speak it, so Tumiki keeps it too. The caller (POST /oauth/register) has already rate-limited the
// address. A confidential client gets a secret once, in this response; only its hash is stored.

export type TClientRegistrationResponse = Omit<TClientMetadata, "client_id" | "application_type"> & {
  /** Always returned: the one the client sent, or the default Tumiki registered it with. */
  application_type: TApplicationType;
  client_id: string;
  client_id_issued_at: number;
  client_secret?: string;
  client_secret_expires_at?: number;
};

const describeIssue = (issue: z.core.$ZodIssue) =>
  `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`;

/** Parses and checks registration metadata; throws the RFC 7591 §3.2.2 error that names the problem. */
function parseRegistrationMetadata(
  metadata: unknown,
): TClientMetadata & { application_type: TApplicationType } {
  const parsed = ZClientMetadata.safeParse(metadata);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const problem = issue ? describeIssue(issue) : "unknown problem";
    const description = `The client metadata is not valid: ${problem}.`;
    if (issue?.path[0] === "redirect_uris") {
      throw new InvalidRedirectUriError(description, { reason: "invalid_redirect_uri" });
    }
    throw new InvalidClientMetadataError(description, { reason: "invalid_client_metadata" });
  }
  for (const uri of parsed.data.redirect_uris) assertValidRedirectUri({ uri });
  const applicationType = resolveApplicationType({
    declared: parsed.data.application_type,
    redirectUris: parsed.data.redirect_uris,
  });
  return { ...parsed.data, application_type: applicationType };
}

export async function registerDynamicClient({
  metadata,
  origin,
}: {
  metadata: unknown;
  origin: TRequestOrigin;
}): Promise<TClientRegistrationResponse> {
  // A client_id in a registration request is not the client's to choose.
  const { client_id: _ignored, ...registered } = parseRegistrationMetadata(metadata);
  const clientId = generateRandomId();
  const clientSecret =
    registered.token_endpoint_auth_method === "none"
      ? undefined
      : generateOpaqueSecret(SECRET_PREFIX.clientSecret);

  const client = await getDb().aiClient.create({
    data: {
      clientId,
      kind: "DYNAMIC",
      clientSecretHash: clientSecret ? hashOpaqueSecret(clientSecret) : null,
      name: registered.client_name ?? null,
      clientUri: registered.client_uri ?? null,
      logoUri: registered.logo_uri ?? null,
      redirectUris: registered.redirect_uris,
      grantTypes: registered.grant_types,
      responseTypes: registered.response_types,
      tokenEndpointAuthMethod: registered.token_endpoint_auth_method,
      scope: registered.scope ?? null,
      metadata: registered,
      registeredFromIp: origin.ip,
    },
  });

  writeAuditEvent({
    eventType: "oauth.client_registered",
    outcome: "SUCCESS",
    clientId: client.id,
    ip: origin.ip,
    userAgent: origin.userAgent,
    detail: {
      kind: "DYNAMIC",
      oauthClientId: clientId,
      clientName: registered.client_name,
      tokenEndpointAuthMethod: registered.token_endpoint_auth_method,
      applicationType: registered.application_type,
      redirectUris: registered.redirect_uris,
    },
  });

  return {
    ...registered,
    client_id: clientId,
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    ...(clientSecret ? { client_secret: clientSecret, client_secret_expires_at: 0 } : {}),
  };
}
