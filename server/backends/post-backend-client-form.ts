import type { OAuthClient } from "../generated/prisma/client";
import { safeFetch, type TSafeFetchResponse } from "../net/safe-fetch";
import { getBackendClientAuthentication } from "./get-backend-client-authentication";

/**
 * POSTs `params` as a form to an endpoint of a backend's authorization server (token, revocation) as
 * `client`, with its credentials. The URL came from the backend's metadata, so it goes through
 * safeFetch; no redirect is followed (it would carry the credentials and the grant elsewhere). Resolves
 * with any HTTP answer; throws OutboundFetchError when there was none.
 */
export function postBackendClientForm({
  client,
  url,
  params,
  timeoutMs,
  maxBytes,
}: {
  /** A decrypted OAuthClient row. */
  client: OAuthClient;
  url: string;
  params: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
}): Promise<TSafeFetchResponse> {
  const authentication = getBackendClientAuthentication(client);
  return safeFetch({
    url,
    method: "POST",
    headers: {
      ...authentication.headers,
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: new URLSearchParams({ ...params, ...authentication.body }).toString(),
    maxBytes,
    timeoutMs,
    maxRedirects: 0,
  });
}
