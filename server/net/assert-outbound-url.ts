import { isIP } from "node:net";
import { getEnv } from "../env";
import { isPublicAddress } from "./is-public-address";
import { OutboundFetchError } from "./outbound-fetch-error";

// The one URL check for every URL that came from outside, fetched or not: safeFetch runs it on each hop,
// and URLs Tumiki hands to a browser or stores for later (a backend's authorization_endpoint) get it too.
// http(s) only, no credentials, https unless the host:port is on the development allowlist
// OUTBOUND_ALLOWED_PRIVATE_HOSTS, and no private, loopback or link-local IP literal outside it. Host
// names are not resolved here: safeFetch's guarded lookup checks the resolved address as it connects.

export type TOutboundUrl = {
  url: URL;
  /** The host:port is on OUTBOUND_ALLOWED_PRIVATE_HOSTS (a development setup). */
  allowlisted: boolean;
};

/** Returns the parsed URL, or throws the OutboundFetchError safeFetch would throw for it. */
export function assertOutboundUrl(raw: string): TOutboundUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new OutboundFetchError("invalid_url", { cause });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new OutboundFetchError("unsupported_scheme", { url: raw });
  }
  if (url.username || url.password) throw new OutboundFetchError("credentials_in_url", { url: raw });
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const allowlisted = getEnv().OUTBOUND_ALLOWED_PRIVATE_HOSTS.includes(
    `${url.hostname}:${port}`.toLowerCase(),
  );
  // IP literals never reach safeFetch's lookup (the socket connects to them directly): judged here.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) !== 0 && !allowlisted && !isPublicAddress(host)) {
    throw new OutboundFetchError("private_address", { url: raw });
  }
  if (url.protocol === "http:" && !allowlisted) throw new OutboundFetchError("https_required", { url: raw });
  return { url, allowlisted };
}
