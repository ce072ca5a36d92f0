import { z } from "zod";

// The shapes of an authorization request: the query of GET /oauth/authorize, and the signed request
// the consent page carries to the decision endpoint. Pure zod, so pages may import it.

/** Parameters RFC 6749 §3.1 forbids repeating; a repeated one is refused rather than guessed at. */
export const AUTHORIZATION_PARAMETERS = [
  "client_id",
  "redirect_uri",
  "response_type",
  "code_challenge",
  "code_challenge_method",
  "scope",
  "state",
  "resource",
] as const;

// An empty parameter (`state=`) is treated as absent, as most authorization servers do.
const optionalParameter = (max: number) =>
  z.preprocess((value) => (value === "" ? undefined : value), z.string().max(max).optional());

export const ZAuthorizationQuery = z.object({
  client_id: optionalParameter(2048),
  redirect_uri: optionalParameter(2048),
  response_type: optionalParameter(64),
  code_challenge: optionalParameter(128),
  code_challenge_method: optionalParameter(16),
  scope: optionalParameter(2048),
  state: optionalParameter(2048),
  resource: optionalParameter(2048),
});
export type TAuthorizationQuery = z.infer<typeof ZAuthorizationQuery>;

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters without padding. */
export const S256_CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Why an authorization request gets an error page instead of a redirect: its client is not trusted, or
 * the requester asked Tumiki to fetch too many new client metadata documents.
 */
export const ZAuthorizationPageError = z.enum([
  "missing_client",
  "unknown_client",
  "unusable_client_metadata",
  "unsupported_client",
  "invalid_redirect_uri",
  "rate_limited",
]);
export type TAuthorizationPageError = z.infer<typeof ZAuthorizationPageError>;

/** What the consent page signs and the decision endpoint trusts, once its signature and expiry hold. */
export const ZConsentRequestClaims = z.object({
  userId: z.string().min(1),
  /** AiClient.id, the row, not the OAuth client_id. */
  clientId: z.string().min(1),
  redirectUri: z.string().min(1),
  state: z.string().optional(),
  codeChallenge: z.string().regex(S256_CODE_CHALLENGE),
  scopes: z.array(z.string()).min(1),
  instanceId: z.string().min(1),
  resource: z.string().min(1),
  /** The double-submit CSRF value the consent form must send back, also held in a cookie. */
  csrf: z.string().min(1),
  jti: z.string().min(1),
});
export type TConsentRequestClaims = z.infer<typeof ZConsentRequestClaims>;

export const ZConsentDecisionForm = z.object({
  request: z.string().min(1).max(8192),
  csrf_token: z.string().min(1).max(256),
  decision: z.enum(["approve", "deny"]),
});
export type TConsentDecisionForm = z.infer<typeof ZConsentDecisionForm>;
