import { z } from "zod";
import { AppError } from "../errors";
import { OutboundFetchError } from "../net/outbound-fetch-error";
import { safeFetch } from "../net/safe-fetch";
import { type TTokenEndpointAuthMethod, ZTokenEndpointAuthMethod } from "./backend-schemas";
import { getTumikiClientMetadata } from "./get-tumiki-client-metadata";
import { readOAuthErrorCode } from "./read-oauth-error-code";

// RFC 7591 dynamic client registration of Tumiki at a backend's authorization server, through safeFetch:
// the fallback after pre-registered credentials and Tumiki's Client ID Metadata Document
// (chooseBackendRegistration), as MCP 2026-07-28 orders them now that it deprecates DCR.
// Tumiki is a confidential web client when the AS lets it hold a secret (client_secret_basic, else
// client_secret_post), else a public one (`none`, PKCE only). The AS has the last word: the method and
// secret it returns are what Tumiki uses, as long as Tumiki can perform that method. Its
// error_description is third-party text, so only the error code reaches the user.

const ZRegistrationResponse = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1).optional(),
  /** RFC 7591 §3.2.1: seconds since the epoch, 0 for a secret that never expires. */
  client_secret_expires_at: z.number().int().nonnegative().optional(),
  registration_access_token: z.string().min(1).optional(),
  registration_client_uri: z.string().optional(),
  token_endpoint_auth_method: z.string().optional(),
});

type TClientRegistration = {
  clientId: string;
  clientSecret?: string;
  /** When the AS said the secret expires; null when it never does or said nothing. */
  clientSecretExpiresAt: Date | null;
  registrationAccessToken?: string;
  registrationClientUri?: string;
  tokenEndpointAuthMethod: TTokenEndpointAuthMethod;
};

function pickAuthMethod(supported: string[]): TTokenEndpointAuthMethod {
  // The enum's order is Tumiki's preference: a secret in a header, then in the body, then none.
  return (
    ZTokenEndpointAuthMethod.options.find((method) => supported.includes(method)) ?? "client_secret_basic"
  );
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function registrationFailed(message: string, userMessage: string, cause?: unknown): AppError {
  return new AppError("UNAVAILABLE", {
    message: `dynamic client registration failed: ${message}`,
    userMessage,
    cause,
  });
}

export async function requestClientRegistration({
  registrationEndpoint,
  tokenEndpointAuthMethods,
  scopes,
  redirectUri,
}: {
  registrationEndpoint: string;
  tokenEndpointAuthMethods: string[];
  scopes: string[];
  /** This issuer's own redirect URI (getBackendRedirectUri), the only one the client may use. */
  redirectUri: string;
}): Promise<TClientRegistration> {
  const metadata = getTumikiClientMetadata();
  const requestedMethod = pickAuthMethod(tokenEndpointAuthMethods);
  const origin = new URL(registrationEndpoint).origin;
  let response: Awaited<ReturnType<typeof safeFetch>>;
  try {
    response = await safeFetch({
      url: registrationEndpoint,
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        client_name: metadata.client_name,
        client_uri: metadata.client_uri,
        redirect_uris: [redirectUri],
        grant_types: metadata.grant_types,
        response_types: metadata.response_types,
        token_endpoint_auth_method: requestedMethod,
        application_type: metadata.application_type,
        ...(scopes.length > 0 ? { scope: scopes.join(" ") } : {}),
      }),
      maxBytes: 64 * 1024,
      timeoutMs: 10_000,
      maxRedirects: 0,
    });
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    throw registrationFailed(
      error.reason,
      `Tumiki could not register with the authorization server at ${origin}: ${error.userMessage}`,
      error,
    );
  }

  if (response.status < 200 || response.status >= 300) {
    const oauthError = readOAuthErrorCode(response.body);
    const code = oauthError ? ` (${oauthError})` : "";
    throw registrationFailed(
      `HTTP ${response.status}${code}`,
      `The authorization server at ${origin} refused Tumiki's registration: HTTP ${response.status}${code}. Register a client with the provider and enter its credentials instead.`,
    );
  }
  const parsed = ZRegistrationResponse.safeParse(parseJson(response.body));
  if (!parsed.success) {
    throw registrationFailed(
      "invalid response",
      `The authorization server at ${origin} answered the registration with something other than a client registration.`,
      parsed.error,
    );
  }
  const registration = parsed.data;
  const answeredMethod = ZTokenEndpointAuthMethod.safeParse(
    registration.token_endpoint_auth_method ?? requestedMethod,
  );
  if (!answeredMethod.success) {
    throw registrationFailed(
      "unsupported token_endpoint_auth_method",
      `The authorization server at ${origin} registered Tumiki with a client authentication method Tumiki cannot use. Register a client with the provider and enter its credentials instead.`,
    );
  }
  const expiresAt = registration.client_secret_expires_at;
  return {
    clientId: registration.client_id,
    clientSecret: registration.client_secret,
    clientSecretExpiresAt: registration.client_secret && expiresAt ? new Date(expiresAt * 1000) : null,
    registrationAccessToken: registration.registration_access_token,
    registrationClientUri: registration.registration_client_uri,
    // A secret-based method without a secret cannot authenticate; the AS made a public client.
    tokenEndpointAuthMethod:
      answeredMethod.data !== "none" && !registration.client_secret ? "none" : answeredMethod.data,
  };
}
