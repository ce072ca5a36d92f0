import { z } from "zod";

// Shapes of tier-2 discovery and registration (Tumiki as an OAuth client of a backend MCP server). Pure
// zod, so client components may import the types.

export const METADATA_SOURCES = [
  "oauth-authorization-server",
  "openid-configuration",
  "default-endpoints",
] as const;

export const REGISTRATION_OPTIONS = ["pre_registered", "cimd", "dcr"] as const;

export const ZBackendAuthorizationServer = z.object({
  /** The AS's `issuer` (RFC 8414), equal to the URL the protected resource metadata named. */
  issuer: z.string(),
  authorizationEndpoint: z.string(),
  tokenEndpoint: z.string(),
  registrationEndpoint: z.string().optional(),
  revocationEndpoint: z.string().optional(),
  scopesSupported: z.array(z.string()).optional(),
  /** RFC 8414's default ["client_secret_basic"] when the metadata names none. */
  tokenEndpointAuthMethods: z.array(z.string()),
  clientIdMetadataDocumentSupported: z.boolean(),
  /** RFC 9207: the AS puts `iss` in its authorization responses, so the callback must check it. */
  issParameterSupported: z.boolean(),
  metadataSource: z.enum(METADATA_SOURCES),
});

export type TBackendAuthorizationServer = z.infer<typeof ZBackendAuthorizationServer>;

export const ZBackendDiscovery = z.object({
  serverUrl: z.string(),
  authType: z.enum(["NONE", "OAUTH"]),
  /** RFC 9728 `resource`, checked against serverUrl; the RFC 8707 `resource` to request tokens for. */
  resource: z.string().optional(),
  resourceMetadataUrl: z.string().optional(),
  /** Per the MCP scope selection strategy: the 401's `scope`, else `scopes_supported`, else none. */
  scopes: z.array(z.string()),
  authorizationServer: ZBackendAuthorizationServer.optional(),
  /** What this AS allows, in the spec's order of preference. */
  registrationOptions: z.array(z.enum(REGISTRATION_OPTIONS)),
});

export type TBackendDiscovery = z.infer<typeof ZBackendDiscovery>;

/** How Tumiki authenticates at a backend's token endpoint: the methods it can perform. */
export const ZTokenEndpointAuthMethod = z.enum(["client_secret_basic", "client_secret_post", "none"]);

export type TTokenEndpointAuthMethod = z.infer<typeof ZTokenEndpointAuthMethod>;

/** Client credentials a user registered with the backend's authorization server themselves. */
export const ZPreRegisteredCredentials = z.object({
  clientId: z.string().trim().min(1, "Enter the client ID.").max(1000, "Use at most 1000 characters."),
  clientSecret: z.string().min(1).max(2000, "Use at most 2000 characters.").optional(),
  tokenEndpointAuthMethod: ZTokenEndpointAuthMethod.optional(),
});

export type TPreRegisteredCredentials = z.infer<typeof ZPreRegisteredCredentials>;

/** Tumiki's Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document). */
export const ZTumikiClientMetadata = z.object({
  client_id: z.string(),
  client_name: z.string(),
  client_uri: z.string(),
  redirect_uris: z.array(z.string()),
  grant_types: z.array(z.string()),
  response_types: z.array(z.string()),
  token_endpoint_auth_method: z.literal("none"),
  application_type: z.literal("web"),
});

export type TTumikiClientMetadata = z.infer<typeof ZTumikiClientMetadata>;
