import { BackendDiscoveryError } from "../backends/backend-discovery-error";
import type { TBackendDiscovery } from "../backends/backend-schemas";
import {
  chooseBackendRegistration,
  type TBackendRegistrationChoice,
} from "../backends/choose-backend-registration";
import { discoverBackendAuth } from "../backends/discover-backend-auth";
import { getBackendRedirectUri } from "../backends/get-backend-redirect-uri";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import { type TDiscoverServerInput, ZDiscoverServerInput } from "./server-schemas";

export type TServerCheck =
  | {
      kind: "discovered";
      discovery: TBackendDiscovery;
      /** How Tumiki would register (null without OAuth): registerBackendClient's own choice. */
      registration: TBackendRegistrationChoice | null;
      /**
       * The redirect URI Tumiki will use with `registration`: the shared callback for CIMD, this issuer's
       * own otherwise (for credentials_required, the one the user's application must list); empty
       * without an authorization server.
       */
      redirectUri: string;
      /** The redirect URI an application the user registered at this issuer must list (one per issuer). */
      ownCredentialsRedirectUri: string;
    }
  /** A 401 with another scheme than Bearer (e.g. Basic, an API-key scheme): not OAuth. */
  | { kind: "api_key_expected"; message: string };

/**
 * What the "Check server" step shows before anything is stored: how the server wants to be
 * authenticated and, for OAuth, how Tumiki would register. Only a preview: adding the server runs
 * discovery again. A server that refuses with a non-OAuth challenge is reported as expecting an API key
 * rather than as an error, so the form can offer the key fields.
 */
export async function checkServer({
  userId,
  ...input
}: TDiscoverServerInput & { userId: string }): Promise<TServerCheck> {
  const { url } = ZDiscoverServerInput.parse(input);
  await assertRateLimit("backendOutbound", `user:${userId}`);
  try {
    const discovery = await discoverBackendAuth({ url });
    const issuer = discovery.authorizationServer?.issuer;
    const registration = discovery.authType === "OAUTH" ? chooseBackendRegistration(discovery) : null;
    if (!issuer)
      return { kind: "discovered", discovery, registration, redirectUri: "", ownCredentialsRedirectUri: "" };
    const ownCredentialsRedirectUri = getBackendRedirectUri({ issuer, registrationType: "PRE_REGISTERED" });
    return {
      kind: "discovered",
      discovery,
      registration,
      redirectUri:
        registration === "cimd"
          ? getBackendRedirectUri({ issuer, registrationType: "CIMD" })
          : ownCredentialsRedirectUri,
      ownCredentialsRedirectUri,
    };
  } catch (error) {
    if (error instanceof BackendDiscoveryError && error.reason === "unsupported_challenge") {
      return { kind: "api_key_expected", message: error.userMessage };
    }
    throw error;
  }
}
