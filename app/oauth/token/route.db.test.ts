import { randomUUID } from "node:crypto";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { GET as getJwks } from "@/app/.well-known/jwks.json/route";
import { flushAuditEvents } from "@/server/audit/write-audit-event";
import { getInstanceResourceUrl, getIssuer } from "@/server/auth/resource-urls";
import { getDb } from "@/server/db";
import { resetEnvCache } from "@/server/env";
import type { AiClient } from "@/server/generated/prisma/client";
import { RATE_LIMIT_POLICIES } from "@/server/rate-limit/rate-limit-policies";
import {
  createTestAiClient,
  createTestAuthorizationCode,
  createTestInstance,
  createTestUser,
} from "@/server/testing/tier1-fixtures";
import { waitForFreshWindow } from "@/server/testing/wait-for-fresh-window";
import { POST } from "./route";

// /oauth/token through its real handler: form parsing, client authentication, the grants, headers and
// the error serializer, with tokens checked against what the JWKS route publishes.

const db = getDb();
const url = "http://localhost:3000/oauth/token";

let userId: string;
let instanceId: string;

beforeEach(async () => {
  userId = (await createTestUser()).id;
  instanceId = (await createTestInstance({ userId, serverSlugs: [`s-${randomUUID().slice(0, 8)}`] })).id;
});

function tokenRequest(params: Record<string, string>, headers: Record<string, string> = {}) {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

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
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBeNull();
    // Without the secret the client would pass as public: refused, the method must be the registered one.
    const missing = await POST(tokenRequest({ ...(await codeParams(client)), client_id: client.clientId }));
    expect(missing.status).toBe(401);
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
    expect(viaPost.status).toBe(401);

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
    expect(withSecret.status).toBe(401);
  });

  it("refuses an unknown client with invalid_client", async () => {
    const response = await POST(tokenRequest({ grant_type: "client_credentials", client_id: "nobody" }));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
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

  it("limits a client to 100 requests an hour: request 101 gets 429 with Retry-After", async () => {
    const clientId = `rate-${randomUUID()}`;
    await waitForFreshWindow(RATE_LIMIT_POLICIES.oauthToken);
    for (let i = 0; i < 100; i++) {
      const response = await POST(tokenRequest({ grant_type: "client_credentials", client_id: clientId }));
      expect(response.status).toBe(401);
    }
    const limited = await POST(tokenRequest({ grant_type: "client_credentials", client_id: clientId }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("cache-control")).toBe("no-store");
    // Another client is not affected.
    const other = await POST(
      tokenRequest({ grant_type: "client_credentials", client_id: `rate-${randomUUID()}` }),
    );
    expect(other.status).toBe(401);
  });

  it("counts a public client per address, so nobody can spend a shared client_id's budget for all", async () => {
    vi.stubEnv("TRUSTED_PROXY_HOPS", "1");
    resetEnvCache();
    try {
      // A CIMD client_id is a URL that every install of the client shares.
      const clientId = `https://client.example/${randomUUID()}.json`;
      await waitForFreshWindow(RATE_LIMIT_POLICIES.oauthToken);
      const from = (ip: string) =>
        POST(
          tokenRequest({ grant_type: "authorization_code", client_id: clientId }, { "x-forwarded-for": ip }),
        );
      for (let i = 0; i < 100; i++) expect((await from("198.51.100.7")).status).not.toBe(429);
      expect((await from("198.51.100.7")).status).toBe(429);
      expect((await from("198.51.100.8")).status).not.toBe(429);
    } finally {
      vi.unstubAllEnvs();
      resetEnvCache();
    }
  });
});
