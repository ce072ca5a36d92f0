import { getAppUrl } from "../auth/resource-urls";
import { BackendDiscoveryError } from "../backends/backend-discovery-error";
import type { TBackendDiscovery } from "../backends/backend-schemas";
import { discoverBackendAuth } from "../backends/discover-backend-auth";
import { getTumikiClientMetadata } from "../backends/get-tumiki-client-metadata";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import { type TDiscoverServerInput, ZDiscoverServerInput } from "./server-schemas";

/** How Tumiki would become a client of the server's authorization server, as registerBackendClient chooses. */
export type TPlannedRegistration = "cimd" | "dcr" | "credentials_required";

export type TServerCheck =
  | {
      kind: "discovered";
      discovery: TBackendDiscovery;
      registration: TPlannedRegistration | null;
      /** Tumiki's redirect URI, which an application registered by hand must list. */
      redirectUri: string;
    }
  /** A 401 with another scheme than Bearer (e.g. Basic, an API-key scheme): not OAuth. */
  | { kind: "api_key_expected"; message: string };

function planRegistration(discovery: TBackendDiscovery): TPlannedRegistration | null {
  if (discovery.authType !== "OAUTH") return null;
  // A CIMD client_id must be an https URL, so a development deployment on http cannot use it.
  const canUseCimd = getTumikiClientMetadata().client_id.startsWith("https://");
  if (canUseCimd && discovery.registrationOptions.includes("cimd")) return "cimd";
  if (discovery.registrationOptions.includes("dcr")) return "dcr";
  return "credentials_required";
}

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
    return {
      kind: "discovered",
      discovery,
      registration: planRegistration(discovery),
      redirectUri: getAppUrl("/oauth/callback"),
    };
  } catch (error) {
    if (error instanceof BackendDiscoveryError && error.reason === "unsupported_challenge") {
      return { kind: "api_key_expected", message: error.userMessage };
    }
    throw error;
  }
}
