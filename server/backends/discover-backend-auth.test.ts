import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  allowOutboundHosts,
  authorizationServerMetadata,
  startMetadataHost,
  type TMetadataHost,
} from "../testing/metadata-host-fixture";
import { BackendDiscoveryError } from "./backend-discovery-error";
import { discoverBackendAuth } from "./discover-backend-auth";

// Discovery against real HTTP servers on 127.0.0.1: `mcp` plays the MCP server (and, where a test says
// so, its own authorization server), `auth` a separate authorization server, and `forbidden` a server
// that is NOT on the allowlist, standing for any private address Tumiki must never contact.

let mcp: TMetadataHost;
let auth: TMetadataHost;
let forbidden: TMetadataHost;
let mcpUrl: string;

beforeAll(async () => {
  [mcp, auth, forbidden] = await Promise.all([startMetadataHost(), startMetadataHost(), startMetadataHost()]);
  mcpUrl = mcp.url("/mcp");
});

afterAll(async () => {
  await Promise.all([mcp.close(), auth.close(), forbidden.close()]);
});

beforeEach(() => {
  mcp.reset();
  auth.reset();
  forbidden.reset();
  allowOutboundHosts([...mcp.allowlistEntries, ...auth.allowlistEntries]);
});

function challenge(value: string) {
  mcp.route("/mcp", { status: 401, headers: { "www-authenticate": value } }, "POST");
}

function protectedResource(path: string, document: Record<string, unknown>) {
  mcp.route(path, { json: document });
}

function standardAuthServer(overrides: Record<string, unknown> = {}) {
  auth.route("/.well-known/oauth-authorization-server", {
    json: authorizationServerMetadata(auth.origin, overrides),
  });
}

async function discoveryError(url = mcpUrl): Promise<BackendDiscoveryError> {
  const error = await discoverBackendAuth({ url }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendDiscoveryError);
  return error as BackendDiscoveryError;
}

const paths = (host: TMetadataHost) => host.requests.map((request) => `${request.method} ${request.path}`);

describe("discoverBackendAuth", () => {
  it("finds no authentication when a 2026-07-28 server answers server/discover", async () => {
    mcp.route(
      "/mcp",
      { json: { jsonrpc: "2.0", id: 1, result: { supportedVersions: ["2026-07-28"] } } },
      "POST",
    );

    const discovery = await discoverBackendAuth({ url: mcpUrl });

    expect(discovery).toEqual({ serverUrl: mcpUrl, authType: "NONE", scopes: [], registrationOptions: [] });
    expect(mcp.requests).toHaveLength(1);
    const [probe] = mcp.requests;
    expect(probe?.method).toBe("POST");
    expect(probe?.headers.accept).toBe("application/json, text/event-stream");
    expect(probe?.headers["content-type"]).toBe("application/json");
    expect(probe?.headers["mcp-protocol-version"]).toBe("2026-07-28");
    expect(probe?.headers["mcp-method"]).toBe("server/discover");
    expect(JSON.parse(probe?.body ?? "{}")).toMatchObject({ jsonrpc: "2.0", method: "server/discover" });
  });

  it("finds no authentication when a 2025 server refuses server/discover but answers initialize", async () => {
    // A 2025 server with sessions refuses anything but initialize without one (400, -32000).
    mcp.route(
      "/mcp",
      (request) =>
        JSON.parse(request.body).method === "initialize"
          ? { json: { jsonrpc: "2.0", id: 1, result: { protocolVersion: "2025-11-25" } } }
          : {
              status: 400,
              json: {
                jsonrpc: "2.0",
                id: null,
                error: { code: -32000, message: "Bad Request: No valid session ID provided" },
              },
            },
      "POST",
    );

    const discovery = await discoverBackendAuth({ url: mcpUrl });

    expect(discovery).toEqual({ serverUrl: mcpUrl, authType: "NONE", scopes: [], registrationOptions: [] });
    expect(mcp.requests.map((request) => JSON.parse(request.body).method)).toEqual([
      "server/discover",
      "initialize",
    ]);
    expect(mcp.requests[1]?.headers["mcp-protocol-version"]).toBe("2025-11-25");
  });

  it("follows resource_metadata from the 401 to the authorization server", async () => {
    challenge(`Bearer error="invalid_token", resource_metadata="${mcp.url("/meta/prm.json")}"`);
    protectedResource("/meta/prm.json", {
      resource: mcpUrl,
      authorization_servers: [auth.origin],
      scopes_supported: ["notes:read"],
    });
    standardAuthServer({
      revocation_endpoint: `${auth.origin}/revoke`,
      scopes_supported: ["notes:read", "openid"],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });

    const discovery = await discoverBackendAuth({ url: mcpUrl });

    expect(discovery).toEqual({
      serverUrl: mcpUrl,
      authType: "OAUTH",
      resource: mcpUrl,
      resourceMetadataUrl: mcp.url("/meta/prm.json"),
      scopes: ["notes:read"],
      authorizationServer: {
        issuer: auth.origin,
        authorizationEndpoint: `${auth.origin}/authorize`,
        tokenEndpoint: `${auth.origin}/token`,
        registrationEndpoint: `${auth.origin}/register`,
        revocationEndpoint: `${auth.origin}/revoke`,
        scopesSupported: ["notes:read", "openid"],
        tokenEndpointAuthMethods: ["client_secret_basic", "none"],
        clientIdMetadataDocumentSupported: true,
        issParameterSupported: true,
        metadataSource: "oauth-authorization-server",
      },
      registrationOptions: ["pre_registered", "cimd", "dcr"],
    });
    // The header's URL is authoritative: no well-known guessing on the MCP server.
    expect(paths(mcp)).toEqual(["POST /mcp", "GET /meta/prm.json"]);
  });

  it("tries the path-inserted well-known URL first", async () => {
    challenge("Bearer");
    protectedResource("/.well-known/oauth-protected-resource/mcp", {
      resource: mcpUrl,
      authorization_servers: [auth.origin],
    });
    protectedResource("/.well-known/oauth-protected-resource", {
      resource: "https://elsewhere.example",
      authorization_servers: [auth.origin],
    });
    standardAuthServer();

    const discovery = await discoverBackendAuth({ url: mcpUrl });

    expect(discovery.resourceMetadataUrl).toBe(mcp.url("/.well-known/oauth-protected-resource/mcp"));
    expect(discovery.resource).toBe(mcpUrl);
    expect(paths(mcp)).toEqual(["POST /mcp", "GET /.well-known/oauth-protected-resource/mcp"]);
  });

  it("falls back to the root well-known URL, whose resource may be the server's origin", async () => {
    challenge("Bearer");
    protectedResource("/.well-known/oauth-protected-resource", {
      resource: mcp.origin,
      authorization_servers: [auth.origin],
    });
    standardAuthServer();

    const discovery = await discoverBackendAuth({ url: mcpUrl });

    expect(discovery.resourceMetadataUrl).toBe(mcp.url("/.well-known/oauth-protected-resource"));
    expect(discovery.resource).toBe(mcp.origin);
    expect(paths(mcp)).toEqual([
      "POST /mcp",
      "GET /.well-known/oauth-protected-resource/mcp",
      "GET /.well-known/oauth-protected-resource",
    ]);
  });

  it("uses OpenID discovery when the AS has no RFC 8414 document", async () => {
    challenge(`Bearer resource_metadata="${mcp.url("/prm")}"`);
    protectedResource("/prm", { resource: mcpUrl, authorization_servers: [auth.origin] });
    auth.route("/.well-known/openid-configuration", {
      json: authorizationServerMetadata(auth.origin, { registration_endpoint: undefined }),
    });

    const discovery = await discoverBackendAuth({ url: mcpUrl });

    expect(discovery.authorizationServer?.metadataSource).toBe("openid-configuration");
    expect(discovery.registrationOptions).toEqual(["pre_registered"]);
    expect(paths(auth)).toEqual([
      "GET /.well-known/oauth-authorization-server",
      "GET /.well-known/openid-configuration",
    ]);
  });

  describe("an issuer with a path", () => {
    const variants = [
      ["/.well-known/oauth-authorization-server/tenant1", "oauth-authorization-server", 1],
      ["/.well-known/openid-configuration/tenant1", "openid-configuration", 2],
      ["/tenant1/.well-known/openid-configuration", "openid-configuration", 3],
    ] as const;

    for (const [path, source, attempts] of variants) {
      it(`finds the metadata at ${path}`, async () => {
        const issuer = auth.url("/tenant1");
        challenge(`Bearer resource_metadata="${mcp.url("/prm")}"`);
        protectedResource("/prm", { resource: mcpUrl, authorization_servers: [issuer] });
        auth.route(path, { json: authorizationServerMetadata(issuer) });

        const discovery = await discoverBackendAuth({ url: mcpUrl });

        expect(discovery.authorizationServer?.issuer).toBe(issuer);
        expect(discovery.authorizationServer?.metadataSource).toBe(source);
        expect(paths(auth)).toEqual(variants.slice(0, attempts).map(([candidate]) => `GET ${candidate}`));
      });
    }
  });

  it("falls back to the 2025-03-26 default endpoints when there is no metadata at all", async () => {
    challenge('Bearer realm="mcp"');

    const discovery = await discoverBackendAuth({ url: mcpUrl });

    expect(discovery).toMatchObject({
      authType: "OAUTH",
      scopes: [],
      authorizationServer: {
        issuer: mcp.origin,
        authorizationEndpoint: mcp.url("/authorize"),
        tokenEndpoint: mcp.url("/token"),
        registrationEndpoint: mcp.url("/register"),
        tokenEndpointAuthMethods: ["client_secret_basic"],
        metadataSource: "default-endpoints",
      },
      registrationOptions: ["pre_registered", "dcr"],
    });
    expect(discovery.resource).toBeUndefined();
    expect(paths(mcp)).toEqual([
      "POST /mcp",
      "GET /.well-known/oauth-protected-resource/mcp",
      "GET /.well-known/oauth-protected-resource",
      "GET /.well-known/oauth-authorization-server",
      "GET /.well-known/openid-configuration",
    ]);
  });

  it("takes a server without resource metadata as its own authorization server (2025-03-26)", async () => {
    mcp.route("/mcp", { status: 401 }, "POST");
    mcp.route("/.well-known/oauth-authorization-server", {
      json: authorizationServerMetadata(mcp.origin, { registration_endpoint: undefined }),
    });

    const discovery = await discoverBackendAuth({ url: mcpUrl });

    expect(discovery.authorizationServer).toMatchObject({
      issuer: mcp.origin,
      metadataSource: "oauth-authorization-server",
    });
    expect(discovery.registrationOptions).toEqual(["pre_registered"]);
  });

  describe("refuses resource metadata for another resource", () => {
    const others = [
      ["another origin", "https://evil.example/mcp"],
      ["another port", "http://127.0.0.1:1/mcp"],
      ["another path", "/other"],
      ["a more specific path", "/mcp/tools"],
      ["a prefix that is not a path segment", "/mc"],
      ["a fragment", "/mcp#x"],
    ] as const;
    for (const [what, resource] of others) {
      it(`with ${what}`, async () => {
        challenge("Bearer");
        const named = resource.startsWith("/") ? mcp.url(resource) : resource;
        protectedResource("/.well-known/oauth-protected-resource/mcp", {
          resource: named,
          authorization_servers: [auth.origin],
        });
        standardAuthServer();

        const error = await discoveryError();

        expect(error.reason).toBe("resource_mismatch");
        expect(error.userMessage).toBe(
          `The server's protected resource metadata names resource ${named}, which is not this server's URL (${mcpUrl}).`,
        );
        expect(auth.requests).toHaveLength(0);
      });
    }
  });

  it("accepts upper-case scheme and host and a trailing slash in the resource", async () => {
    challenge("Bearer");
    const resource = `HTTP://127.0.0.1:${new URL(mcp.origin).port}/mcp/`;
    protectedResource("/.well-known/oauth-protected-resource/mcp", {
      resource,
      authorization_servers: [auth.origin],
    });
    standardAuthServer();

    expect((await discoverBackendAuth({ url: mcpUrl })).resource).toBe(resource);
  });

  it("refuses an AS whose metadata names another issuer", async () => {
    challenge("Bearer");
    protectedResource("/.well-known/oauth-protected-resource", {
      resource: mcpUrl,
      authorization_servers: [auth.origin],
    });
    auth.route("/.well-known/oauth-authorization-server", {
      json: authorizationServerMetadata("https://impostor.example"),
    });

    const error = await discoveryError();

    expect(error.reason).toBe("issuer_mismatch");
    expect(error.userMessage).toContain("names issuer https://impostor.example");
  });

  it("refuses an AS with a trailing-slash variant of the issuer (the comparison is exact)", async () => {
    challenge("Bearer");
    protectedResource("/.well-known/oauth-protected-resource", {
      resource: mcpUrl,
      authorization_servers: [auth.origin],
    });
    auth.route("/.well-known/oauth-authorization-server", {
      json: authorizationServerMetadata(`${auth.origin}/`),
    });

    expect((await discoveryError()).reason).toBe("issuer_mismatch");
  });

  for (const [what, methods] of [
    ["lists only plain", ["plain"]],
    ["lists no PKCE method at all", undefined],
  ] as const) {
    it(`refuses an AS that ${what}`, async () => {
      challenge("Bearer");
      protectedResource("/.well-known/oauth-protected-resource", {
        resource: mcpUrl,
        authorization_servers: [auth.origin],
      });
      standardAuthServer({ code_challenge_methods_supported: methods });

      const error = await discoveryError();

      expect(error.reason).toBe("pkce_unsupported");
      expect(error.userMessage).toContain("PKCE with S256");
    });
  }

  for (const [what, endpoint, outbound] of [
    [
      "a javascript: authorization endpoint",
      { authorization_endpoint: "javascript:alert(1)" },
      "unsupported_scheme",
    ],
    ["a data: token endpoint", { token_endpoint: "data:text/plain,x" }, "unsupported_scheme"],
    [
      "a plain-http endpoint on a public host",
      { authorization_endpoint: "http://auth.example.com/a" },
      "https_required",
    ],
    ["an endpoint on a private address", { token_endpoint: "https://10.0.0.1/token" }, "private_address"],
  ] as const) {
    it(`refuses ${what}`, async () => {
      challenge("Bearer");
      protectedResource("/.well-known/oauth-protected-resource", {
        resource: mcpUrl,
        authorization_servers: [auth.origin],
      });
      standardAuthServer(endpoint);

      const error = await discoveryError();

      expect(error.reason).toBe("unsafe_endpoint");
      expect(error.outboundReason).toBe(outbound);
    });
  }

  describe("scope selection", () => {
    beforeEach(() => {
      protectedResource("/.well-known/oauth-protected-resource/mcp", {
        resource: mcpUrl,
        authorization_servers: [auth.origin],
        scopes_supported: ["notes:read", "notes:write"],
      });
      standardAuthServer({ scopes_supported: ["everything"] });
    });

    it("takes the challenge's scope over scopes_supported", async () => {
      challenge('Bearer error="invalid_token", scope="files:read  files:write"');
      expect((await discoverBackendAuth({ url: mcpUrl })).scopes).toEqual(["files:read", "files:write"]);
    });

    it("takes scopes_supported of the resource metadata without a challenge scope", async () => {
      challenge("Bearer");
      expect((await discoverBackendAuth({ url: mcpUrl })).scopes).toEqual(["notes:read", "notes:write"]);
    });

    it("requests no scope when neither names one", async () => {
      challenge("Bearer");
      protectedResource("/.well-known/oauth-protected-resource/mcp", {
        resource: mcpUrl,
        authorization_servers: [auth.origin],
      });
      expect((await discoverBackendAuth({ url: mcpUrl })).scopes).toEqual([]);
    });
  });

  describe("server-side request forgery", () => {
    it("refuses a resource_metadata URL on a private address that is not allowlisted", async () => {
      challenge(`Bearer resource_metadata="${forbidden.url("/prm")}"`);
      forbidden.route("/prm", { json: { resource: mcpUrl, authorization_servers: [auth.origin] } });

      const error = await discoveryError();

      expect(error.reason).toBe("metadata_fetch_failed");
      expect(error.outboundReason).toBe("private_address");
      expect(error.userMessage).toContain("private network");
      expect(forbidden.requests).toHaveLength(0);
    });

    it("refuses a resource_metadata URL at the cloud metadata address", async () => {
      challenge('Bearer resource_metadata="http://169.254.169.254/latest/meta-data/"');

      const error = await discoveryError();

      expect(error.outboundReason).toBe("private_address");
    });

    it("refuses a metadata redirect to a private address", async () => {
      challenge("Bearer");
      mcp.route("/.well-known/oauth-protected-resource/mcp", {
        status: 302,
        headers: { location: forbidden.url("/prm") },
      });
      forbidden.route("/prm", { json: { resource: mcpUrl, authorization_servers: [auth.origin] } });

      const error = await discoveryError();

      expect(error.outboundReason).toBe("private_address");
      expect(forbidden.requests).toHaveLength(0);
    });

    it("refuses an authorization server on a private address", async () => {
      challenge("Bearer");
      protectedResource("/.well-known/oauth-protected-resource", {
        resource: mcpUrl,
        authorization_servers: [forbidden.origin],
      });
      forbidden.route("/.well-known/oauth-authorization-server", {
        json: authorizationServerMetadata(forbidden.origin),
      });

      const error = await discoveryError();

      // The issuer URL itself is refused before any request: an unsafe endpoint, not a failed fetch.
      expect(error.reason).toBe("unsafe_endpoint");
      expect(error.outboundReason).toBe("private_address");
      expect(forbidden.requests).toHaveLength(0);
    });

    it("refuses a server URL on a private address", async () => {
      const error = await discoveryError(forbidden.url("/mcp"));

      expect(error.reason).toBe("invalid_url");
      expect(forbidden.requests).toHaveLength(0);
    });
  });

  describe("errors a user can act on", () => {
    it("a 404 from the MCP endpoint", async () => {
      const error = await discoveryError();
      expect(error.reason).toBe("unexpected_status");
      expect(error.userMessage).toContain("HTTP 404");
      expect(error.userMessage).toContain("MCP endpoint");
    });

    it("a server error", async () => {
      mcp.route("/mcp", { status: 502 }, "POST");
      const error = await discoveryError();
      expect(error.reason).toBe("server_unreachable");
      expect(error.userMessage).toContain("HTTP 502");
    });

    it("a redirect from the MCP endpoint", async () => {
      mcp.route("/mcp", { status: 307, headers: { location: "/mcp/" } }, "POST");
      const error = await discoveryError();
      expect(error.outboundReason).toBe("too_many_redirects");
      expect(error.userMessage).toContain("redirect");
    });

    it("a server that cannot be reached, with safeFetch's reason", async () => {
      const closed = await startMetadataHost();
      await closed.close();
      allowOutboundHosts(closed.allowlistEntries);
      const error = await discoveryError(closed.url("/mcp"));
      expect(error.reason).toBe("server_unreachable");
      expect(error.userMessage).toBe("Tumiki could not reach the server: The server could not be reached.");
    });

    it("an authentication scheme other than Bearer", async () => {
      challenge('Basic realm="admin"');
      const error = await discoveryError();
      expect(error.reason).toBe("unsupported_challenge");
      expect(error.userMessage).toContain("basic");
    });

    it("a resource_metadata URL that does not exist", async () => {
      challenge(`Bearer resource_metadata="${mcp.url("/missing")}"`);
      const error = await discoveryError();
      expect(error.reason).toBe("metadata_not_found");
      expect(error.userMessage).toContain("HTTP 404");
    });

    it("metadata that is not JSON", async () => {
      challenge("Bearer");
      mcp.route("/.well-known/oauth-protected-resource/mcp", { body: "<html>hello</html>" });
      const error = await discoveryError();
      expect(error.reason).toBe("metadata_invalid");
      expect(error.userMessage).toBe(
        `The protected resource metadata at ${mcp.origin} is not a JSON document.`,
      );
    });

    it("metadata without authorization servers", async () => {
      challenge("Bearer");
      protectedResource("/.well-known/oauth-protected-resource/mcp", {
        resource: mcpUrl,
        authorization_servers: [],
      });
      const error = await discoveryError();
      expect(error.reason).toBe("metadata_invalid");
      expect(error.userMessage).toContain("authorization_servers");
    });

    it("oversized metadata", async () => {
      challenge("Bearer");
      mcp.route("/.well-known/oauth-protected-resource/mcp", { body: "x".repeat(100_000) });
      const error = await discoveryError();
      expect(error.reason).toBe("metadata_fetch_failed");
      expect(error.outboundReason).toBe("response_too_large");
      expect(error.userMessage).toContain("The response was larger than allowed.");
    });

    it("metadata that answers a server error", async () => {
      challenge("Bearer");
      mcp.route("/.well-known/oauth-protected-resource/mcp", { status: 500 });
      const error = await discoveryError();
      expect(error.reason).toBe("metadata_unavailable");
    });

    it("an authorization server without metadata", async () => {
      challenge("Bearer");
      protectedResource("/.well-known/oauth-protected-resource/mcp", {
        resource: mcpUrl,
        authorization_servers: [auth.origin],
      });
      const error = await discoveryError();
      expect(error.reason).toBe("metadata_not_found");
      expect(error.userMessage).toContain(auth.origin);
    });
  });
});
