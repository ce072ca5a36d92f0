import { z } from "zod";

// The form bodies of /oauth/token (RFC 6749 §4.1.3, §6, §4.4; RFC 8707 `resource`) and /oauth/revoke
// (RFC 7009), and the token response (RFC 6749 §5.1). Client credentials (client_id, client_secret)
// are read by authenticate-token-client.ts and may appear in any body, so objects are not strict.

const value = z.string().min(1).max(4096);
const narrowingScope = z
  .string()
  .max(4096)
  .describe(
    "Space-separated scopes, each within the grant: a granted scope, a tool scope " +
      "(`mcp:access:<server-slug>:<tool>`) of a granted server, or with `mcp:access:*` any scope of the " +
      "instance's servers. Absent: everything granted.",
  );

export const ZAuthorizationCodeRequest = z.object({
  grant_type: z.literal("authorization_code"),
  code: value,
  // Missing redirect_uri or code_verifier is an invalid_grant (the code is bound to them), checked by
  // the exchange, not a schema error.
  redirect_uri: value.optional(),
  code_verifier: z.string().max(4096).optional(),
  resource: value.optional(),
});

export const ZRefreshTokenRequest = z.object({
  grant_type: z.literal("refresh_token"),
  refresh_token: value,
  scope: narrowingScope.optional(),
  resource: value.optional(),
});

export const ZClientCredentialsRequest = z.object({
  grant_type: z.literal("client_credentials"),
  scope: narrowingScope.optional(),
  resource: value.optional(),
});

export const ZTokenRequest = z.discriminatedUnion("grant_type", [
  ZAuthorizationCodeRequest,
  ZRefreshTokenRequest,
  ZClientCredentialsRequest,
]);

export type TTokenRequest = z.infer<typeof ZTokenRequest>;

export const SUPPORTED_GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials"] as const;

export const ZRevokeRequest = z.object({
  // No length cap: RFC 7009 §2.2 answers an invalid token with 200, and an over-long value is simply no
  // token Tumiki issued (its lookup finds nothing). readOAuthForm's 16 KB body cap bounds the work.
  token: z.string().min(1),
  // RFC 7009 §2.1: only a hint; an unknown value is ignored and every token type is searched.
  token_type_hint: z.string().max(64).optional(),
});

export type TRevokeRequest = z.infer<typeof ZRevokeRequest>;

export const ZTokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().optional(),
  scope: z.string(),
});

export type TTokenResponse = z.infer<typeof ZTokenResponse>;
