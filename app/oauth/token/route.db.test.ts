import { randomUUID } from "node:crypto";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { GET as getJwks } from "@/app/.well-known/jwks.json/route";
import { flushAuditEvents } from "@/server/audit/write-audit-event";
import { getInstanceResourceUrl, getIssuer } from "@/server/auth/resource-urls";
import { getDb } from "@/server/db";
import type { AiClient } from "@/server/generated/prisma/client";
import { RATE_LIMIT_POLICIES } from "@/server/rate-limit/rate-limit-policies";
import {
  createTestAiClient,
  createTestAuthorizationCode,
  createTestInstance,
  createTestUser,
  formPostRequest,
  randomTestIp,
  stubTrustedProxyHop,
} from "@/server/testing/tier1-fixtures";
import { waitForFreshWindow } from "@/server/testing/wait-for-fresh-window";
import { POST } from "./route";

// /oauth/token through its real handler: form parsing, client authentication, the grants, headers and
// the error serializer, with tokens checked against what the JWKS route publishes.

// Counts the outbound fetches of client metadata documents (the token endpoint must make none).
const outbound = vi.hoisted(() => ({ fetches: 0 }));
vi.mock("@/server/net/safe-fetch", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/server/net/safe-fetch")>();
  return {
    ...actual,
    safeFetch: (...args: Parameters<typeof actual.safeFetch>) => {
      outbound.fetches++;
      return actual.safeFetch(...args);
    },
  };
});

const db = getDb();
const url = "http://localhost:3000/oauth/token";

// Every request comes from its own address unless a test names one, so the per-address budget of
// failed client authentications is spent only by the tests about it.
stubTrustedProxyHop();

let userId: string;
let instanceId: string;

beforeEach(async () => {
  userId = (await createTestUser()).id;
  instanceId = (await createTestInstance({ userId, serverSlugs: [`s-${randomUUID().slice(0, 8)}`] })).id;
});

const tokenRequest = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  formPostRequest(url, params, headers);

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

async function codeParams(client: AiClient) {
  const { code, codeVerifier, redirectUri } = await createTestAuthorizationCode({
    clientId: client.id,
    userId,
    instanceId,
  });
  return { grant_type: "authorization_code", code, code_verifier: codeVerifier, redirect_uri: redirectUri };
}

async function verifyWithPublishedJwks(token: string) {
  const jwks = createLocalJWKSet(
    await (await getJwks(new Request("http://localhost:3000/.well-known/jwks.json"), {})).json(),
  );
  return jwtVerify(token, jwks, {
    issuer: getIssuer(),
    audience: getInstanceResourceUrl(instanceId),
    typ: "at+jwt",
    algorithms: ["ES256"],
  });
}

describe("POST /oauth/token", () => {
  it("exchanges a code (public client), no-store; the JWT verifies against the JWKS route", async () => {
    const { client } = await createTestAiClient();
    const response = await POST(tokenRequest({ ...(await codeParams(client)), client_id: client.clientId }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    const body = await response.json();
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "mcp:access:*" });
    const { payload, protectedHeader } = await verifyWithPublishedJwks(body.access_token);
    expect(protectedHeader).toMatchObject({ alg: "ES256", typ: "at+jwt" });
    expect(payload).toMatchObject({ sub: userId, client_id: client.clientId });

    const jwksResponse = await getJwks(new Request("http://localhost:3000/.well-known/jwks.json"), {});
    expect(jwksResponse.headers.get("cache-control")).toBe("public, max-age=300");

    const refreshed = await POST(
      tokenRequest({
        grant_type: "refresh_token",
        refresh_token: body.refresh_token,
        client_id: client.clientId,
      }),
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get("cache-control")).toBe("no-store");
    const next = await refreshed.json();
    await expect(verifyWithPublishedJwks(next.access_token)).resolves.toBeDefined();
  });

  it("refuses a reused code and revokes the first access token and refresh token", async () => {
    const { client } = await createTestAiClient();
    const params = { ...(await codeParams(client)), client_id: client.clientId };
    const first = await (await POST(tokenRequest(params))).json();
    const second = await POST(tokenRequest(params));
    expect(second.status).toBe(400);
    expect(second.headers.get("cache-control")).toBe("no-store");
    expect(await second.json()).toMatchObject({ error: "invalid_grant" });

    const row = await db.issuedAccessToken.findUniqueOrThrow({
      where: { jti: decodeJwt(first.access_token).jti },
    });
    expect(row.revokedAt).not.toBeNull();
    const refresh = await POST(
      tokenRequest({
        grant_type: "refresh_token",
        refresh_token: first.refresh_token,
        client_id: client.clientId,
      }),
    );
    expect(await refresh.json()).toMatchObject({ error: "invalid_grant" });

    await flushAuditEvents();
    const failure = await db.auditLog.findFirstOrThrow({
      where: { eventType: "oauth.token_issued", outcome: "FAILURE", clientId: client.id },
    });
    expect(failure.reason).toBe("code_reused");
    expect(JSON.stringify(failure)).not.toContain(params.code);
  });

  it("client_secret_basic: form-url-encoded credentials; a wrong secret gets a Basic challenge", async () => {
    const { client, clientSecret } = await createTestAiClient({
      tokenEndpointAuthMethod: "client_secret_basic",
      clientId: `id with:colon+${randomUUID()}`,
    });
    const ok = await POST(
      tokenRequest(await codeParams(client), {
        authorization: basic(client.clientId, clientSecret as string),
      }),
    );
    expect(ok.status).toBe(200);

    const wrong = await POST(
      tokenRequest(await codeParams(client), { authorization: basic(client.clientId, "tmk_cs_wrong") }),
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect(await wrong.json()).toMatchObject({ error: "invalid_client" });
  });

  it("authenticates client_secret_post and refuses a wrong or missing secret", async () => {
    const { client, clientSecret } = await createTestAiClient({
      tokenEndpointAuthMethod: "client_secret_post",
    });
    const ok = await POST(
      tokenRequest({
        ...(await codeParams(client)),
        client_id: client.clientId,
        client_secret: clientSecret as string,
      }),
    );
    expect(ok.status).toBe(200);
    const wrong = await POST(
      tokenRequest({
        ...(await codeParams(client)),
        client_id: client.clientId,
        client_secret: "tmk_cs_wrong",
      }),
    );
    // RFC 6749 §5.2: without the Authorization header, invalid_client is a 400 with no challenge.
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get("www-authenticate")).toBeNull();
    expect(await wrong.json()).toMatchObject({ error: "invalid_client" });
    // Without the secret the client would pass as public: refused, the method must be the registered one.
    const missing = await POST(tokenRequest({ ...(await codeParams(client)), client_id: client.clientId }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: "invalid_client" });
  });

  it("refuses an auth method other than the registered one, and an expired secret", async () => {
    const { client, clientSecret } = await createTestAiClient({
      tokenEndpointAuthMethod: "client_secret_basic",
    });
    const viaPost = await POST(
      tokenRequest({
        ...(await codeParams(client)),
        client_id: client.clientId,
        client_secret: clientSecret as string,
      }),
    );
    expect(await viaPost.json()).toMatchObject({ error: "invalid_client" });

    const expired = await createTestAiClient({
      tokenEndpointAuthMethod: "client_secret_basic",
      clientSecretExpiresAt: new Date(Date.now() - 1000),
    });
    const response = await POST(
      tokenRequest(await codeParams(expired.client), {
        authorization: basic(expired.client.clientId, expired.clientSecret as string),
      }),
    );
    expect(response.status).toBe(401);

    const publicClient = (await createTestAiClient()).client;
    const withSecret = await POST(
      tokenRequest({
        ...(await codeParams(publicClient)),
        client_id: publicClient.clientId,
        client_secret: "tmk_cs_x",
      }),
    );
    expect(await withSecret.json()).toMatchObject({ error: "invalid_client" });
  });

  it("refuses an unknown client with invalid_client", async () => {
    const response = await POST(tokenRequest({ grant_type: "client_credentials", client_id: "nobody" }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });

  it("refuses an unknown https client_id without fetching it or storing a client", async () => {
    const clientId = `https://client.example/${randomUUID()}.json`;
    const before = outbound.fetches;
    const response = await POST(tokenRequest({ grant_type: "authorization_code", client_id: clientId }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
    expect(outbound.fetches).toBe(before);
    expect(await db.aiClient.count({ where: { clientId } })).toBe(0);
  });

  it("stops reading a chunked body past 16 KB", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === 1000) return controller.close();
        pulled++;
        controller.enqueue(new TextEncoder().encode(`a${pulled}=${"x".repeat(1020)}&`));
      },
    });
    const request = new Request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": randomTestIp() },
      body,
      duplex: "half",
    } as RequestInit);
    const response = await POST(request);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: "invalid_request",
      error_description: "The request body is too large.",
    });
    // About 1 MB was offered in chunks of about 1 KB; reading went up to the 16 KB limit (16 chunks
    // exceed it) and stopped a little past it.
    expect(pulled).toBeGreaterThanOrEqual(16);
    expect(pulled).toBeLessThan(40);
  });

  it("issues client_credentials to an M2M client; a public client gets unauthorized_client", async () => {
    const { client, clientSecret } = await createTestAiClient({
      kind: "M2M",
      tokenEndpointAuthMethod: "client_secret_basic",
      grantTypes: ["client_credentials"],
      ownerUserId: userId,
      instanceId,
    });
    const ok = await POST(
      tokenRequest(
        { grant_type: "client_credentials" },
        { authorization: basic(client.clientId, clientSecret as string) },
      ),
    );
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body.refresh_token).toBeUndefined();
    await expect(verifyWithPublishedJwks(body.access_token)).resolves.toBeDefined();

    const publicClient = (await createTestAiClient({ grantTypes: ["client_credentials"] })).client;
    const refused = await POST(
      tokenRequest({ grant_type: "client_credentials", client_id: publicClient.clientId }),
    );
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "unauthorized_client" });
  });

  it.each([
    [
      "a JSON body",
      { "content-type": "application/json" },
      JSON.stringify({ grant_type: "client_credentials" }),
    ],
    ["a duplicated parameter", {}, "grant_type=authorization_code&grant_type=refresh_token&client_id=x"],
  ])("refuses %s with invalid_request", async (_label, headers, body) => {
    const { client } = await createTestAiClient();
    const request = new Request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: body.replace("client_id=x", `client_id=${client.clientId}`),
    });
    const response = await POST(request);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });

  it("refuses an unknown grant type and a missing parameter", async () => {
    const { client } = await createTestAiClient();
    const unknown = await POST(tokenRequest({ grant_type: "password", client_id: client.clientId }));
    expect(await unknown.json()).toMatchObject({ error: "unsupported_grant_type" });
    const missing = await POST(
      tokenRequest({ grant_type: "authorization_code", client_id: client.clientId }),
    );
    expect(await missing.json()).toMatchObject({ error: "invalid_request" });
  });

  it("limits an authenticated confidential client to 100 requests an hour from any address", async () => {
    const { client, clientSecret } = await createTestAiClient({
      tokenEndpointAuthMethod: "client_secret_basic",
    });
    const other = await createTestAiClient({ tokenEndpointAuthMethod: "client_secret_basic" });
    const request = (target: { client: AiClient; clientSecret?: string }) =>
      // Authenticated, then refused for the missing code: each one spends the client's budget.
      POST(
        tokenRequest(
          { grant_type: "authorization_code" },
          { authorization: basic(target.client.clientId, target.clientSecret as string) },
        ),
      );
    await waitForFreshWindow(RATE_LIMIT_POLICIES.oauthToken);
    for (let i = 0; i < RATE_LIMIT_POLICIES.oauthToken.attempts; i++) {
      expect((await request({ client, clientSecret })).status).toBe(400);
    }
    const limited = await request({ client, clientSecret });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("cache-control")).toBe("no-store");
    // Another client is not affected.
    expect((await request(other)).status).toBe(400);
  });

  it("counts a public client per address, so nobody can spend a shared client_id's budget for all", async () => {
    const { client } = await createTestAiClient();
    await waitForFreshWindow(RATE_LIMIT_POLICIES.oauthToken);
    const from = (ip: string) =>
      POST(
        tokenRequest(
          { grant_type: "authorization_code", client_id: client.clientId },
          { "x-forwarded-for": ip },
        ),
      );
    const ip = randomTestIp();
    for (let i = 0; i < RATE_LIMIT_POLICIES.oauthToken.attempts; i++)
      expect((await from(ip)).status).toBe(400);
    expect((await from(ip)).status).toBe(429);
    expect((await from(randomTestIp())).status).toBe(400);
  });

  it("counts wrong secrets against the address, not the client: a stranger cannot lock it out", async () => {
    const { client, clientSecret } = await createTestAiClient({
      tokenEndpointAuthMethod: "client_secret_basic",
    });
    const attacker = randomTestIp();
    const attempt = (secret: string, ip: string) =>
      POST(
        tokenRequest(
          { grant_type: "authorization_code" },
          { authorization: basic(client.clientId, secret), "x-forwarded-for": ip, "user-agent": `ua-${ip}` },
        ),
      );
    await waitForFreshWindow(RATE_LIMIT_POLICIES.oauthClientAuthFailure);
    const budget = RATE_LIMIT_POLICIES.oauthClientAuthFailure.attempts;
    for (let i = 0; i < budget; i++) expect((await attempt("tmk_cs_wrong", attacker)).status).toBe(401);
    // A failure over the address's budget is answered 429 instead of invalid_client.
    const limited = await attempt("tmk_cs_wrong", attacker);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // The right secret still authenticates from that very address (the address may be a shared NAT,
    // or "unknown" for every caller): 400 is the grant's answer to a request with no code.
    expect((await attempt(clientSecret as string, attacker)).status).toBe(400);
    expect((await attempt("tmk_cs_wrong", attacker)).status).toBe(429);
    // And from its own address: the failures were never charged to the client's own budget.
    expect((await attempt(clientSecret as string, randomTestIp())).status).toBe(400);

    // Each counted failure is audited once; the refusals over the limit write nothing. The one other
    // row is the authenticated client's grant failure (no code), charged to its own budget.
    await flushAuditEvents();
    const rows = await db.auditLog.findMany({
      where: { eventType: "oauth.token_issued", outcome: "FAILURE", userAgent: `ua-${attacker}` },
    });
    expect(rows.filter((row) => row.reason === "client_secret_invalid")).toHaveLength(budget);
    expect(
      rows.filter((row) => row.clientId === client.id && row.reason !== "client_secret_invalid"),
    ).toHaveLength(1);
    expect(rows).toHaveLength(budget + 1);
  });

  it("counts unknown clients and requests naming no client against the address", async () => {
    const ip = randomTestIp();
    await waitForFreshWindow(RATE_LIMIT_POLICIES.oauthClientAuthFailure);
    const budget = RATE_LIMIT_POLICIES.oauthClientAuthFailure.attempts;
    for (let i = 0; i < budget; i++) {
      const params: Record<string, string> =
        i % 2 === 0 ? { client_id: `unknown-${i}` } : { grant_type: "authorization_code" };
      expect((await POST(tokenRequest(params, { "x-forwarded-for": ip }))).status).toBe(400);
    }
    const unknown = await POST(tokenRequest({ client_id: "unknown-over" }, { "x-forwarded-for": ip }));
    expect(unknown.status).toBe(429);
    // A request that authenticates is never refused by the failure budget.
    const { client } = await createTestAiClient();
    const known = await POST(
      tokenRequest(
        { grant_type: "authorization_code", client_id: client.clientId },
        { "x-forwarded-for": ip },
      ),
    );
    expect(known.status).toBe(400);
  });
});
