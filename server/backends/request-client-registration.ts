import { z } from "zod";
import { getAppUrl } from "../auth/resource-urls";
import { AppError } from "../errors";
import { OutboundFetchError, safeFetch } from "../net/safe-fetch";
import { TUMIKI_CLIENT_NAME } from "./get-tumiki-client-metadata";

// RFC 7591 dynamic client registration of Tumiki at a backend's authorization server, through safeFetch.
// Tumiki is a confidential web client when the AS lets it hold a secret (client_secret_basic, else
// client_secret_post), else a public one (`none`, PKCE only). The AS has the last word: the method and
// secret it returns are what Tumiki uses. Its error_description is third-party text, so only the error
// code reaches the user.

const ZRegistrationResponse = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1).optional(),
  registration_access_token: z.string().min(1).optional(),
  registration_client_uri: z.string().optional(),
  token_endpoint_auth_method: z.string().optional(),
});

const ZRegistrationErrorResponse = z.object({ error: z.string().regex(/^[\w.-]{1,64}$/) });

export type TClientRegistration = {
  clientId: string;
  clientSecret?: string;
  registrationAccessToken?: string;
  registrationClientUri?: string;
  tokenEndpointAuthMethod: string;
  redirectUris: string[];
  grantTypes: string[];
  responseTypes: string[];
};

const GRANT_TYPES = ["authorization_code", "refresh_token"];
const RESPONSE_TYPES = ["code"];
const PREFERRED_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"];

function pickAuthMethod(supported: string[]): string {
  return PREFERRED_AUTH_METHODS.find((method) => supported.includes(method)) ?? "client_secret_basic";
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
}: {
  registrationEndpoint: string;
  tokenEndpointAuthMethods: string[];
  scopes: string[];
}): Promise<TClientRegistration> {
  const redirectUris = [getAppUrl("/oauth/callback")];
  const requestedMethod = pickAuthMethod(tokenEndpointAuthMethods);
  const origin = new URL(registrationEndpoint).origin;
  let response: Awaited<ReturnType<typeof safeFetch>>;
  try {
    response = await safeFetch({
      url: registrationEndpoint,
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        client_name: TUMIKI_CLIENT_NAME,
        client_uri: getAppUrl(""),
        redirect_uris: redirectUris,
        grant_types: GRANT_TYPES,
        response_types: RESPONSE_TYPES,
        token_endpoint_auth_method: requestedMethod,
        application_type: "web",
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

  const json = parseJson(response.body);
  if (response.status < 200 || response.status >= 300) {
    const oauthError = ZRegistrationErrorResponse.safeParse(json);
    const code = oauthError.success ? ` (${oauthError.data.error})` : "";
    throw registrationFailed(
      `HTTP ${response.status}${code}`,
      `The authorization server at ${origin} refused Tumiki's registration: HTTP ${response.status}${code}. Register a client with the provider and enter its credentials instead.`,
    );
  }
  const parsed = ZRegistrationResponse.safeParse(json);
  if (!parsed.success) {
    throw registrationFailed(
      "invalid response",
      `The authorization server at ${origin} answered the registration with something other than a client registration.`,
      parsed.error,
    );
  }
  const registration = parsed.data;
  const answeredMethod = registration.token_endpoint_auth_method ?? requestedMethod;
  return {
    clientId: registration.client_id,
    clientSecret: registration.client_secret,
    registrationAccessToken: registration.registration_access_token,
    registrationClientUri: registration.registration_client_uri,
    // A secret-based method without a secret cannot authenticate; the AS made a public client.
    tokenEndpointAuthMethod:
      answeredMethod !== "none" && !registration.client_secret ? "none" : answeredMethod,
    redirectUris,
    grantTypes: GRANT_TYPES,
    responseTypes: RESPONSE_TYPES,
  };
}
