import { z } from "zod";

// Client metadata (RFC 7591 §2) as sent to POST /oauth/register and as published in a Client ID Metadata
// Document. Unknown fields are dropped (RFC 7591 §2: a server ignores metadata it does not understand).
// Redirect URIs are only required to be strings here: assertValidRedirectUri judges each one, so a bad
// URI is answered with `invalid_redirect_uri` rather than `invalid_client_metadata`.

export const TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"] as const;

const ZHttpUrl = z.url({ protocol: /^https?$/ }).max(2000);

export const ZClientMetadata = z
  .object({
    redirect_uris: z.array(z.string().max(2000)).min(1).max(20),
    // RFC 7591 §2 makes client_secret_basic the default; MCP clients normally ask for `none`.
    token_endpoint_auth_method: z.enum(TOKEN_ENDPOINT_AUTH_METHODS).default("client_secret_basic"),
    grant_types: z
      .array(z.enum(["authorization_code", "refresh_token"]))
      .min(1)
      .default(["authorization_code"]),
    response_types: z.array(z.literal("code")).min(1).default(["code"]),
    client_name: z.string().trim().min(1).max(200).optional(),
    // Shown as links on the consent page: only http(s), never javascript: or data:.
    client_uri: ZHttpUrl.optional(),
    logo_uri: ZHttpUrl.optional(),
    tos_uri: ZHttpUrl.optional(),
    policy_uri: ZHttpUrl.optional(),
    scope: z.string().max(2000).optional(),
    contacts: z.array(z.string().max(320)).max(20).optional(),
    software_id: z.string().max(200).optional(),
    software_version: z.string().max(100).optional(),
    // Only meaningful in a CIMD document, where it must equal the document's URL.
    client_id: z.string().max(2000).optional(),
  })
  .refine((metadata) => metadata.grant_types.includes("authorization_code"), {
    path: ["grant_types"],
    message: "grant_types must include authorization_code (the only flow open to registered clients)",
  });

export type TClientMetadata = z.infer<typeof ZClientMetadata>;
