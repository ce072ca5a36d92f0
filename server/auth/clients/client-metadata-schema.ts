import { z } from "zod";

// Client metadata (RFC 7591 §2) as sent to POST /oauth/register and as published in a Client ID Metadata
// Document. Unknown fields are dropped (RFC 7591 §2: a server ignores metadata it does not understand).
// Redirect URIs are only required to be strings here: assertValidRedirectUri judges each one, so a bad
// URI is answered with `invalid_redirect_uri` rather than `invalid_client_metadata`.

export const TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"] as const;

/** OpenID Connect Registration 1.0 §2; what each allows is decided by resolveApplicationType. */
export const APPLICATION_TYPES = ["web", "native"] as const;

export type TApplicationType = (typeof APPLICATION_TYPES)[number];

// Strings shown to users (the consent page, the list of authorized clients) may not carry control or
// format characters: a bidi override (U+202E) or zero-width character would make the text read as
// something else than it is, e.g. a name that looks like another client's.
const INVISIBLE_CHARACTER = /[\p{Cc}\p{Cf}]/u;
const noInvisibleCharacters = (value: string) => !INVISIBLE_CHARACTER.test(value);
const INVISIBLE_MESSAGE = "must not contain control or invisible formatting characters";

const ZDisplayString = (max: number) =>
  z.string().max(max).refine(noInvisibleCharacters, { message: INVISIBLE_MESSAGE });

const ZHttpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .refine(noInvisibleCharacters, { message: INVISIBLE_MESSAGE });

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
    // MCP 2026-07-28 has clients send it at registration (SEP-837). Any other value is refused rather
    // than ignored: a client that says something Tumiki cannot honour would get redirect URI rules it
    // did not ask for.
    application_type: z.enum(APPLICATION_TYPES).optional(),
    client_name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine(noInvisibleCharacters, { message: INVISIBLE_MESSAGE })
      .optional(),
    // Shown as links on the consent page: only http(s), never javascript: or data:.
    client_uri: ZHttpUrl.optional(),
    logo_uri: ZHttpUrl.optional(),
    tos_uri: ZHttpUrl.optional(),
    policy_uri: ZHttpUrl.optional(),
    scope: z.string().max(2000).optional(),
    contacts: z.array(ZDisplayString(320)).max(20).optional(),
    software_id: ZDisplayString(200).optional(),
    software_version: ZDisplayString(100).optional(),
    // Only meaningful in a CIMD document, where it must equal the document's URL.
    client_id: z.string().max(2000).optional(),
  })
  .refine((metadata) => metadata.grant_types.includes("authorization_code"), {
    path: ["grant_types"],
    message: "grant_types must include authorization_code (the only flow open to registered clients)",
  });

export type TClientMetadata = z.infer<typeof ZClientMetadata>;
