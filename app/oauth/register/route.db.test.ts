import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { flushAuditEvents } from "@/server/audit/write-audit-event";
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
