import { AppError, RateLimitError } from "../../errors";
import type { AiClient } from "../../generated/prisma/client";
import { getLogger } from "../../logger";
import { isCimdClientId } from "../clients/is-cimd-client-id";
import { isRegisteredRedirectUri } from "../clients/match-redirect-uri";
import { resolveAiClient } from "../clients/resolve-ai-client";
import {
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  OAuthError,
  UnauthorizedClientError,
  UnsupportedResponseTypeError,
} from "../oauth-errors";
import { resolveInstanceScopes, type TInstanceServer } from "../resolve-instance-scopes";
import { parseInstanceResourceUrl } from "../resource-urls";
import { ALL_SERVERS_SCOPE, isOfferedScope, parseScopeString } from "../scopes";
import {
  AUTHORIZATION_PARAMETERS,
  S256_CODE_CHALLENGE,
  type TAuthorizationPageError,
  ZAuthorizationQuery,
} from "./authorization-request-schema";
import { hasClientConsent } from "./has-client-consent";

// Validation of GET /oauth/authorize, in the two phases RFC 6749 §4.1.2.1 prescribes. Until the client
// and its redirect_uri are known to belong together, nothing may be sent to that URI: an attacker could
// otherwise bounce the browser (and an error, or worse a code) to a URI of their choosing, so those
// failures get an error page. After that, every other problem is reported to the client, but only to a
// signed-in user, and by automatic redirect only when that user already approved the client: anyone can
// register a redirect URI (or publish a metadata document), so redirecting on a crafted link would make
// Tumiki an open redirector (RFC 9700 §4.11.2). A signed-out user signs in first; a user who never
// approved the client gets an error page whose link back to the client they may choose to follow.
//
// A CIMD client Tumiki has not stored is not fetched for a signed-out visitor (who could otherwise make
// Tumiki fetch any number of URLs, and spend the fetch budget, without an account): the visitor is sent
// to Tumiki's own sign-in page, which redirects nowhere else, and the document is fetched on return.

export type TValidAuthorizationRequest = {
  /** The signed-in user the request is validated for. */
  userId: string;
  client: AiClient;
  /** Exactly as sent: the token endpoint compares it byte for byte. */
  redirectUri: string;
  state?: string;
  codeChallenge: string;
  scopes: string[];
  instance: { id: string; userId: string; name: string };
  servers: TInstanceServer[];
  /** The instance's canonical URL (RFC 8707), the `aud` of the tokens. */
  resource: string;
};

export type TAuthorizationValidation =
  | { outcome: "error_page"; reason: TAuthorizationPageError; detail?: string }
  | {
      outcome: "redirect_error";
      userId: string;
      client: AiClient;
      redirectUri: string;
      state?: string;
      error: OAuthError;
      /** Redirect at once only when the user has a standing consent for the client; else a page. */
      automatic: boolean;
    }
  | { outcome: "sign_in_required" }
  | { outcome: "valid"; request: TValidAuthorizationRequest };

type TValidateAuthorizationRequestOptions = {
  query: URLSearchParams;
  /** The signed-in user, or null: the checks of the client and its redirect URI still run first. */
  userId: string | null;
  /** The requester's address, for the audit of a newly stored CIMD client. */
  ip: string;
};

export async function validateAuthorizationRequest({
  query,
  userId,
  ip,
}: TValidateAuthorizationRequestOptions): Promise<TAuthorizationValidation> {
  const repeated = AUTHORIZATION_PARAMETERS.filter((name) => query.getAll(name).length > 1);
  const parsed = ZAuthorizationQuery.safeParse(
    Object.fromEntries(AUTHORIZATION_PARAMETERS.map((name) => [name, query.get(name) ?? undefined])),
  );
  const clientId = query.get("client_id");
  const redirectUri = query.get("redirect_uri");

  // Phase 1: the client and its redirect URI.
  if (!clientId || clientId.length > 2048 || repeated.includes("client_id")) {
    return { outcome: "error_page", reason: "missing_client" };
  }
  const resolved = await resolveClient({ clientId, userId, ip });
  if ("rateLimited" in resolved) return { outcome: "error_page", reason: "rate_limited" };
  if ("problem" in resolved) {
    return { outcome: "error_page", reason: "unusable_client_metadata", detail: resolved.problem };
  }
  const { client } = resolved;
  if (!client) {
    // Not fetched while signed out (see above); a disabled CIMD client also lands here and is refused
    // as unknown after sign-in.
    if (userId === null && isCimdClientId({ clientId })) return { outcome: "sign_in_required" };
    return { outcome: "error_page", reason: "unknown_client" };
  }
  // M2M clients use client_credentials only; a client with no redirect URI cannot receive a code.
  if (client.kind === "M2M" || client.redirectUris.length === 0) {
    return { outcome: "error_page", reason: "unsupported_client" };
  }
  if (
    !redirectUri ||
    repeated.includes("redirect_uri") ||
    !isRegisteredRedirectUri({ registered: client.redirectUris, requested: redirectUri })
  ) {
    return { outcome: "error_page", reason: "invalid_redirect_uri" };
  }

  if (userId === null) return { outcome: "sign_in_required" };

  // Phase 2: everything else goes back to the (now trusted) redirect URI.
  const rawState = query.get("state") || undefined;
  const state = rawState && rawState.length <= 2048 ? rawState : undefined;
  const fail = async (error: OAuthError): Promise<TAuthorizationValidation> => ({
    outcome: "redirect_error",
    userId,
    client,
    redirectUri,
    state,
    error,
    automatic: await hasClientConsent({ userId, clientId: client.id }),
  });
  // RFC 8707 §2: several `resource` values are a problem of the target (Tumiki issues one audience).
  if (repeated.includes("resource")) {
    return fail(new InvalidTargetError("Only one resource may be requested at a time."));
  }
  if (repeated.length > 0) {
    return fail(new InvalidRequestError(`The parameter ${repeated[0]} is given more than once.`));
  }
  if (!parsed.success) {
    const name = String(parsed.error.issues[0]?.path[0] ?? "a parameter");
    return fail(new InvalidRequestError(`The parameter ${name} is too long.`));
  }
  const params = parsed.data;
  if (!params.response_type) return fail(new InvalidRequestError("response_type is required."));
  if (params.response_type !== "code") {
    return fail(new UnsupportedResponseTypeError("Only response_type=code is supported."));
  }
  if (client.grantTypes.length > 0 && !client.grantTypes.includes("authorization_code")) {
    return fail(new UnauthorizedClientError("This client is not registered for authorization_code."));
  }
  if (!params.code_challenge) {
    return fail(new InvalidRequestError("PKCE is required: send code_challenge with S256."));
  }
  // Without a method RFC 7636 means `plain`, which Tumiki refuses: the method must be named.
  if (params.code_challenge_method !== "S256") {
    return fail(new InvalidRequestError("code_challenge_method must be S256."));
  }
  if (!S256_CODE_CHALLENGE.test(params.code_challenge)) {
    return fail(new InvalidRequestError("code_challenge must be 43 base64url characters (S256)."));
  }

  // The MCP spec requires clients to send `resource`: it decides which instance the token opens.
  if (!params.resource) return fail(new InvalidTargetError("resource is required: the MCP instance URL."));
  const instanceId = parseInstanceResourceUrl(params.resource);
  const target = instanceId ? await resolveInstanceScopes({ instanceId, userId }) : null;
  if (!target) {
    return fail(new InvalidTargetError("resource is not one of your Tumiki MCP instances."));
  }
  const requested = parseScopeString(params.scope);
  const scopes = requested.length > 0 ? requested : [ALL_SERVERS_SCOPE];
  // A tool scope is offered for every server the instance bundles (isOfferedScope); one of a server it
  // does not bundle is as unknown as that server's own scope.
  const unknown = scopes.find((scope) => !isOfferedScope(target.scopes, scope));
  if (unknown !== undefined) {
    return fail(new InvalidScopeError("A requested scope is not offered by this MCP instance."));
  }

  return {
    outcome: "valid",
    request: {
      userId,
      client,
      redirectUri,
      state,
      codeChallenge: params.code_challenge,
      scopes,
      instance: target.instance,
      servers: target.servers,
      resource: params.resource,
    },
  };
}

/** The client (null when unknown), why its metadata document could not be used, or a rate limit. */
async function resolveClient({
  clientId,
  userId,
  ip,
}: {
  clientId: string;
  userId: string | null;
  ip: string;
}): Promise<{ client: AiClient | null } | { problem: string } | { rateLimited: true }> {
  try {
    // This is where a new CIMD client shows up, so the only lookup that may register one, and only for
    // a signed-in user, against whose budget the fetch counts.
    const client =
      userId === null
        ? await resolveAiClient({ clientId })
        : await resolveAiClient({ clientId, mayRegister: true, userId, ip });
    return { client };
  } catch (error) {
    if (error instanceof RateLimitError) return { rateLimited: true };
    // A CIMD document that cannot be fetched or is invalid is the client's problem: an error page.
    // Anything else (the database is down) is ours and must not pass for an unknown client.
    const isClientProblem =
      (error instanceof OAuthError && error.status < 500) ||
      (error instanceof AppError && error.status < 500);
    if (!isClientProblem) throw error;
    getLogger().info(
      { reason: error instanceof OAuthError ? error.reason : error.code },
      "client not usable",
    );
    return { problem: error instanceof OAuthError ? error.description : error.userMessage };
  }
}
