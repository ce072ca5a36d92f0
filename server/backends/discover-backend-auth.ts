import { assertOutboundUrl } from "../net/assert-outbound-url";
import { OutboundFetchError } from "../net/outbound-fetch-error";
import type { TSafeFetchResponse } from "../net/safe-fetch";
import { BackendDiscoveryError } from "./backend-discovery-error";
import type { TBackendAuthorizationServer, TBackendDiscovery } from "./backend-schemas";
import {
  DEFAULT_TOKEN_ENDPOINT_AUTH_METHODS,
  fetchAuthorizationServerMetadata,
} from "./fetch-authorization-server-metadata";
import { fetchProtectedResourceMetadata } from "./fetch-protected-resource-metadata";
import { parseWwwAuthenticate } from "./parse-www-authenticate";
import { probeMcpEndpoint } from "./probe-mcp-endpoint";

// How Tumiki authenticates to a backend MCP server, found the way the MCP spec tells clients:
// 1. Probe it without a token (probe-mcp-endpoint.ts: `server/discover`, then `initialize` for a server
//    of an earlier revision). A 2xx means the server needs no authentication.
// 2. A 401: read the Bearer challenge's `resource_metadata` and `scope`, then the RFC 9728 metadata
//    (fetch-protected-resource-metadata.ts), then its first authorization server's RFC 8414 / OpenID
//    metadata (fetch-authorization-server-metadata.ts). Both documents are checked before anything is
//    trusted: `resource` must name this server, `issuer` must be the named AS, S256 must be supported.
// 3. A 401 from a server with no protected resource metadata at all is treated as a 2025-03-26 server:
//    its origin is the authorization server, discovered by RFC 8414 there, or, failing that, the default
//    endpoints /authorize, /token and /register of that spec. Those servers had no way to advertise
//    PKCE methods, but that spec made PKCE mandatory for every client and server, so S256 is assumed.
// Scopes follow the spec's selection strategy: the challenge's `scope`, else `scopes_supported` of the
// resource metadata, else none (no `scope` parameter is sent).

function assertServerUrl(url: string): URL {
  try {
    return assertOutboundUrl(url).url;
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    throw new BackendDiscoveryError("invalid_url", {
      message: error.reason,
      userMessage: error.userMessage,
      outboundReason: error.reason,
      cause: error,
    });
  }
}

async function probeServer(url: string, signal: AbortSignal | undefined): Promise<TSafeFetchResponse> {
  try {
    // The URL entered must be the endpoint itself: after a redirect, the resource Tumiki would ask
    // tokens for would no longer be the URL it stores.
    return await probeMcpEndpoint({ url, signal });
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    const userMessage =
      error.reason === "too_many_redirects"
        ? "The server answered with a redirect. Enter the URL of its MCP endpoint itself."
        : `Tumiki could not reach the server: ${error.userMessage}`;
    throw new BackendDiscoveryError("server_unreachable", {
      message: error.reason,
      userMessage,
      outboundReason: error.reason,
      cause: error,
    });
  }
}

function unexpectedStatus(status: number): BackendDiscoveryError {
  const userMessage =
    status >= 500
      ? `The server answered HTTP ${status} (a server error) to MCP's opening requests. Try again later.`
      : `The server answered HTTP ${status} to MCP's opening requests (server/discover, initialize). Check that the URL is the server's MCP endpoint (Streamable HTTP).`;
  return new BackendDiscoveryError(status >= 500 ? "server_unreachable" : "unexpected_status", {
    message: `probe answered HTTP ${status}`,
    userMessage,
  });
}

function defaultEndpoints(origin: string): TBackendAuthorizationServer {
  return {
    issuer: origin,
    authorizationEndpoint: `${origin}/authorize`,
    tokenEndpoint: `${origin}/token`,
    registrationEndpoint: `${origin}/register`,
    tokenEndpointAuthMethods: DEFAULT_TOKEN_ENDPOINT_AUTH_METHODS,
    clientIdMetadataDocumentSupported: false,
    issParameterSupported: false,
    metadataSource: "default-endpoints",
  };
}

const splitScope = (scope: string | undefined) => scope?.split(/\s+/).filter(Boolean) ?? [];

export async function discoverBackendAuth({
  url,
  signal,
}: {
  url: string;
  signal?: AbortSignal;
}): Promise<TBackendDiscovery> {
  const serverUrl = url.trim();
  const server = assertServerUrl(serverUrl);
  const probe = await probeServer(serverUrl, signal);

  if (probe.status >= 200 && probe.status < 300) {
    return { serverUrl, authType: "NONE", scopes: [], registrationOptions: [] };
  }
  if (probe.status !== 401) throw unexpectedStatus(probe.status);

  const challenges = parseWwwAuthenticate(probe.headers.get("www-authenticate") ?? "");
  const bearer = challenges.find((challenge) => challenge.scheme === "bearer");
  if (challenges.length > 0 && !bearer) {
    const schemes = challenges.map((challenge) => challenge.scheme).join(", ");
    throw new BackendDiscoveryError("unsupported_challenge", {
      message: `401 without a Bearer challenge (${schemes})`,
      userMessage: `The server asks for ${schemes} authentication, not OAuth. If it takes an API key, add it as an API-key server.`,
    });
  }

  const protectedResource = await fetchProtectedResourceMetadata({
    serverUrl,
    resourceMetadataUrl: bearer?.params.resource_metadata,
    signal,
  });

  let authorizationServer: TBackendAuthorizationServer;
  if (protectedResource) {
    // RFC 9728 §7.6 leaves the choice to the client; the first is the one the server lists first.
    const [issuer] = protectedResource.metadata.authorization_servers as [string, ...string[]];
    const found = await fetchAuthorizationServerMetadata({ issuer, signal });
    if (!found) {
      throw new BackendDiscoveryError("metadata_not_found", {
        message: "no authorization server metadata at any well-known URL",
        userMessage: `The server names ${issuer} as its authorization server, but Tumiki found no OAuth or OpenID metadata there.`,
      });
    }
    authorizationServer = found;
  } else {
    authorizationServer =
      (await fetchAuthorizationServerMetadata({ issuer: server.origin, signal })) ??
      defaultEndpoints(server.origin);
  }

  const challengeScopes = splitScope(bearer?.params.scope);
  const scopes =
    challengeScopes.length > 0 ? challengeScopes : (protectedResource?.metadata.scopes_supported ?? []);

  return {
    serverUrl,
    authType: "OAUTH",
    resource: protectedResource?.metadata.resource,
    resourceMetadataUrl: protectedResource?.url,
    scopes,
    authorizationServer,
    registrationOptions: [
      "pre_registered",
      ...(authorizationServer.clientIdMetadataDocumentSupported ? (["cimd"] as const) : []),
      ...(authorizationServer.registrationEndpoint ? (["dcr"] as const) : []),
    ],
  };
}
