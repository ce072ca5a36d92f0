import { randomBytes } from "node:crypto";
import {
  RegistrationRejectedError,
  registerClient,
  resolveClientMetadata,
} from "@modelcontextprotocol/client";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { flushAuditEvents } from "@/server/audit/write-audit-event";
import { getAuthorizationServerMetadata } from "@/server/auth/metadata/get-authorization-server-metadata";
import { hashOpaqueSecret } from "@/server/auth/opaque-secrets";
import { getDb } from "@/server/db";
import { resetEnvCache } from "@/server/env";
import { RATE_LIMIT_POLICIES } from "@/server/rate-limit/rate-limit-policies";
import { waitForFreshWindow } from "@/server/testing/wait-for-fresh-window";
import { POST } from "./route";

// As if behind one reverse proxy, so X-Forwarded-For is the client address that keys the limit.
beforeAll(() => {
  vi.stubEnv("TRUSTED_PROXY_HOPS", "1");
  resetEnvCache();
});

// A fresh address per test keeps each one in its own window of the oauthRegister policy.
const freshIp = () => `198.51.100.${randomBytes(4).toString("hex")}`;

function register(body: unknown, { ip = freshIp(), contentType = "application/json" } = {}) {
  return POST(
    new Request("http://localhost:3000/oauth/register", {
      method: "POST",
      headers: { "content-type": contentType, "x-forwarded-for": ip, "user-agent": "test-agent" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

const publicClient = {
  client_name: "Claude Code",
  redirect_uris: ["http://localhost:51234/callback"],
  token_endpoint_auth_method: "none",
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
};

describe("POST /oauth/register", () => {
  it("registers a public client: 201, no-store, an RFC 7591 response without secret, a row", async () => {
    const response = await register({ ...publicClient, unknown_field: "ignored", client_id: "chosen" });

    expect(response.status).toBe(201);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await response.json();
    expect(body).toMatchObject({
      client_name: "Claude Code",
      redirect_uris: ["http://localhost:51234/callback"],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    });
    expect(body.client_id).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(body.client_id).not.toBe("chosen");
    expect(body.client_id_issued_at).toBeGreaterThan(1_600_000_000);
    expect(body).not.toHaveProperty("client_secret");
    expect(body).not.toHaveProperty("unknown_field");

    const row = await getDb().aiClient.findUniqueOrThrow({ where: { clientId: body.client_id } });
    expect(row).toMatchObject({
      kind: "DYNAMIC",
      clientSecretHash: null,
      name: "Claude Code",
      tokenEndpointAuthMethod: "none",
      redirectUris: ["http://localhost:51234/callback"],
    });
    expect(row.registeredFromIp).toMatch(/^198\.51\.100\./);

    await flushAuditEvents();
    const audit = await getDb().auditLog.findFirstOrThrow({
      where: { eventType: "oauth.client_registered", clientId: row.id },
    });
    expect(audit.outcome).toBe("SUCCESS");
  });

  it("defaults to client_secret_basic and returns the secret once, storing only its hash", async () => {
    const { token_endpoint_auth_method: _none, ...withoutMethod } = publicClient;
    const response = await register(withoutMethod);

    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body.token_endpoint_auth_method).toBe("client_secret_basic");
    expect(body.client_secret).toMatch(/^tmk_cs_[A-Za-z0-9_-]{43}$/);
    expect(body.client_secret_expires_at).toBe(0);

    const row = await getDb().aiClient.findUniqueOrThrow({ where: { clientId: body.client_id } });
    expect(row.clientSecretHash).toBe(hashOpaqueSecret(body.client_secret));
    expect(JSON.stringify(row)).not.toContain(body.client_secret);

    await flushAuditEvents();
    const audits = await getDb().auditLog.findMany({ where: { clientId: row.id } });
    expect(audits).toHaveLength(1);
    expect(JSON.stringify(audits)).not.toContain(body.client_secret);
  });

  it("accepts client_secret_post", async () => {
    const response = await register({ ...publicClient, token_endpoint_auth_method: "client_secret_post" });
    expect(response.status).toBe(201);
    expect((await response.json()).client_secret).toMatch(/^tmk_cs_/);
  });

  it.each([
    ["http on a non-loopback host", "http://app.example.com/cb"],
    ["a fragment", "https://app.example.com/cb#x"],
    ["javascript:", "javascript:alert(1)"],
    ["mixed-case javascript:", "JaVaScRiPt:alert(1)"],
    ["javascript: after a space", " javascript:alert(1)"],
    ["javascript: with a tab", "java\tscript:alert(1)"],
    ["data:", "data:text/html,hi"],
    ["user info", "https://user:pw@app.example.com/cb"],
    ["a control character", "https://app.example.com/c\u0001b"],
  ])("refuses a redirect URI with %s: 400 invalid_redirect_uri, nothing stored", async (_name, uri) => {
    const before = await getDb().aiClient.count();
    const response = await register({
      ...publicClient,
      redirect_uris: ["https://ok.example.com/cb", uri],
    });

    expect(response.status).toBe(400);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toMatchObject({ error: "invalid_redirect_uri" });
    expect(await getDb().aiClient.count()).toBe(before);
  });

  it.each([
    ["no redirect_uris", { client_name: "x" }, "invalid_redirect_uri"],
    ["empty redirect_uris", { redirect_uris: [] }, "invalid_redirect_uri"],
    ["auth method private_key_jwt", { ...publicClient, token_endpoint_auth_method: "private_key_jwt" }],
    ["auth method client_secret_jwt", { ...publicClient, token_endpoint_auth_method: "client_secret_jwt" }],
    ["auth method tls_client_auth", { ...publicClient, token_endpoint_auth_method: "tls_client_auth" }],
    ["grant type client_credentials", { ...publicClient, grant_types: ["client_credentials"] }],
    ["grant type implicit", { ...publicClient, grant_types: ["authorization_code", "implicit"] }],
    ["only refresh_token", { ...publicClient, grant_types: ["refresh_token"] }],
    ["response type token", { ...publicClient, response_types: ["token"] }],
    ["a javascript: client_uri", { ...publicClient, client_uri: "javascript:alert(1)" }],
    ["a data: logo_uri", { ...publicClient, logo_uri: "data:image/png;base64,AAAA" }],
    ["a JSON array", [publicClient]],
  ])("refuses %s", async (_name, body, error = "invalid_client_metadata") => {
    const response = await register(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error });
  });

  it("refuses a body that is not JSON, or not sent as JSON", async () => {
    const notJson = await register("{not json");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: "invalid_client_metadata" });

    const form = await register("redirect_uris=https://a.example/cb", {
      contentType: "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({ error: "invalid_client_metadata" });
  });

  it("refuses a body over 16 KB sent without Content-Length (chunked), reading no further", async () => {
    let pulled = 0;
    const chunk = new TextEncoder().encode(" ".repeat(4096));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        // An endless body: only a reader that stops at the limit ever returns.
        controller.enqueue(chunk);
      },
    });
    const response = await POST(
      new Request("http://localhost:3000/oauth/register", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": freshIp() },
        body,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: "invalid_client_metadata",
      error_description: "The registration request is too large.",
    });
    expect(pulled).toBeLessThan(10);
  });

  it("accepts the app scheme of a known MCP desktop client (Cursor)", async () => {
    const response = await register({
      ...publicClient,
      redirect_uris: ["cursor://anysphere.cursor-retrieval/oauth/user-tumiki/callback"],
    });
    expect(response.status).toBe(201);
  });

  describe("application_type (OpenID Connect Registration §2, MCP 2026-07-28 SEP-837)", () => {
    it.each([
      ["native", ["http://127.0.0.1:51234/callback"]],
      ["native", ["cursor://anysphere.cursor-retrieval/oauth/user-tumiki/callback"]],
      ["web", ["https://app.example.com/oauth/callback"]],
      // Without the implicit grant, OIDC does not keep web clients off loopback hosts.
      ["web", ["http://localhost:51234/callback"]],
    ])("returns and stores a declared %s client with %j", async (type, redirectUris) => {
      const response = await register({
        ...publicClient,
        application_type: type,
        redirect_uris: redirectUris,
      });
      expect(response.status).toBe(201);
      const body = await response.json();
      expect(body.application_type).toBe(type);
      const row = await getDb().aiClient.findUniqueOrThrow({ where: { clientId: body.client_id } });
      expect(row.metadata).toMatchObject({ application_type: type });
    });

    it("registers VS Code's own request: native with claimed https and loopback URIs", async () => {
      const vscode = {
        client_name: "Visual Studio Code",
        client_uri: "https://code.visualstudio.com",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        redirect_uris: [
          "https://insiders.vscode.dev/redirect",
          "https://vscode.dev/redirect",
          "http://127.0.0.1/",
          "http://127.0.0.1:33418/",
        ],
        token_endpoint_auth_method: "none",
        application_type: "native",
      };
      const response = await register(vscode);
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({
        application_type: "native",
        redirect_uris: vscode.redirect_uris,
      });
    });

    it("registers and returns a default when none is sent: web, or native for a private-use scheme", async () => {
      const loopback = await (await register(publicClient)).json();
      expect(loopback.application_type).toBe("web");
      const app = await (
        await register({ ...publicClient, redirect_uris: ["com.example.app:/oauth2redirect"] })
      ).json();
      expect(app.application_type).toBe("native");
      const row = await getDb().aiClient.findUniqueOrThrow({ where: { clientId: app.client_id } });
      expect(row.metadata).toMatchObject({ application_type: "native" });
    });

    it("refuses a web client with a private-use scheme: 400 invalid_redirect_uri, nothing stored", async () => {
      const before = await getDb().aiClient.count();
      const response = await register({
        ...publicClient,
        application_type: "web",
        redirect_uris: ["https://app.example.com/cb", "cursor://anysphere.cursor-retrieval/oauth/cb"],
      });
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.error).toBe("invalid_redirect_uri");
      expect(body.error_description).toContain('application_type "native"');
      expect(await getDb().aiClient.count()).toBe(before);
    });

    it.each([
      ["an unknown value", "browser"],
      ["another case", "NATIVE"],
      ["the empty string", ""],
      ["a number", 2],
      ["a list", ["native"]],
    ])("refuses %s with invalid_client_metadata, nothing stored", async (_name, value) => {
      const before = await getDb().aiClient.count();
      const response = await register({ ...publicClient, application_type: value });
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.error).toBe("invalid_client_metadata");
      expect(body.error_description).toContain("application_type");
      expect(await getDb().aiClient.count()).toBe(before);
    });

    it("works with the 2026-07-28 MCP SDK's registration, which derives the type from the redirect URIs", async () => {
      const metadata = getAuthorizationServerMetadata();
      const fetchFn = (url: string | URL, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        headers.set("x-forwarded-for", freshIp());
        return POST(new Request(url, { ...init, headers }));
      };
      const clientMetadata = resolveClientMetadata({
        redirectUrl: "http://127.0.0.1:45678/callback",
        clientMetadata: {
          client_name: "SDK client",
          redirect_uris: ["http://127.0.0.1:45678/callback"],
          token_endpoint_auth_method: "none",
        },
      });
      expect(clientMetadata.application_type).toBe("native");
      const registered = await registerClient(metadata.issuer, { metadata, clientMetadata, fetchFn });
      expect(registered).toMatchObject({
        application_type: "native",
        grant_types: ["authorization_code", "refresh_token"],
        redirect_uris: ["http://127.0.0.1:45678/callback"],
      });

      // What SEP-837 has clients prepared for: a refusal they can read and register again after.
      const refused = await registerClient(metadata.issuer, {
        metadata,
        clientMetadata: {
          ...clientMetadata,
          application_type: "web",
          redirect_uris: ["com.example.sdk:/callback"],
        },
        fetchFn,
      }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RegistrationRejectedError);
      expect((refused as RegistrationRejectedError).status).toBe(400);
      expect(JSON.parse((refused as RegistrationRejectedError).body).error).toBe("invalid_redirect_uri");
    });
  });

  it("refuses a client_name that hides text behind a bidi override or zero-width character", async () => {
    for (const name of ["Claude\u202Eedoc", "Clau\u200Bde"]) {
      const response = await register({ ...publicClient, client_name: name });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_client_metadata" });
    }
  });

  it("answers the 11th registration from one address within the hour with 429 and Retry-After", async () => {
    const ip = freshIp();
    await waitForFreshWindow(RATE_LIMIT_POLICIES.oauthRegister);
    for (let i = 0; i < 10; i += 1) {
      expect((await register(publicClient, { ip })).status).toBe(201);
    }
    const before = await getDb().aiClient.count();

    const limited = await register(publicClient, { ip });

    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await limited.json()).toMatchObject({ error: "temporarily_unavailable" });
    expect(await getDb().aiClient.count()).toBe(before);

    // Counted before the body is read: even an invalid request from that address is refused the same way.
    expect((await register("{not json", { ip })).status).toBe(429);
    // Another address is unaffected.
    expect((await register(publicClient, { ip: freshIp() })).status).toBe(201);
  });
});
