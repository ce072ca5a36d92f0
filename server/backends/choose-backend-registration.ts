import type { TBackendDiscovery } from "./backend-schemas";
import { getTumikiClientMetadata } from "./get-tumiki-client-metadata";

/** How Tumiki becomes a client of a backend's authorization server when the user brings no credentials. */
export type TBackendRegistrationChoice = "cimd" | "dcr" | "credentials_required";

/**
 * The MCP spec's order after pre-registered credentials: a Client ID Metadata Document, then dynamic
 * client registration, else the user must register a client themselves. The check-server preview and
 * registerBackendClient both call this, so what the form promises is what registration does.
 * A CIMD client_id must be an https URL, so a deployment on plain http (local development) skips CIMD.
 * A CIMD client is redirected to the callback every CIMD client shares (getBackendRedirectUri), so only
 * RFC 9207 `iss` can tell its authorization responses apart (RFC 9700 §4.4.2): CIMD is chosen only at an
 * AS that advertises sending it, else DCR registers a redirect URI of this issuer's own.
 */
export function chooseBackendRegistration(discovery: TBackendDiscovery): TBackendRegistrationChoice {
  const cimdUsable = new URL(getTumikiClientMetadata().client_id).protocol === "https:";
  const issSent = discovery.authorizationServer?.issParameterSupported === true;
  if (cimdUsable && issSent && discovery.registrationOptions.includes("cimd")) return "cimd";
  if (discovery.registrationOptions.includes("dcr")) return "dcr";
  return "credentials_required";
}
