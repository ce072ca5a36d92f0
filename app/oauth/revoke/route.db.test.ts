import { decodeJwt } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { POST as token } from "@/app/oauth/token/route";
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

const db = getDb();

let userId: string;
let instanceId: string;
let client: AiClient;

// Each request from its own address: refused ones count against their address's budget.
stubTrustedProxyHop();

beforeEach(async () => {
  userId = (await createTestUser()).id;
  instanceId = (await createTestInstance({ userId })).id;
  client = (await createTestAiClient()).client;
});

const form = (path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
  formPostRequest(`http://localhost:3000${path}`, params, headers);

async function grant(forClient = client) {
  const { code, codeVerifier, redirectUri } = await createTestAuthorizationCode({
    clientId: forClient.id,
    userId,
    instanceId,
  });
  const response = await token(
    form("/oauth/token", {
      grant_type: "authorization_code",
      code,
      code_verifier: codeVerifier,
      redirect_uri: redirectUri,
      client_id: forClient.clientId,
    }),
  );
  return (await response.json()) as { access_token: string; refresh_token: string };
}

const isRevoked = async (accessToken: string) =>
  (await db.issuedAccessToken.findUniqueOrThrow({ where: { jti: decodeJwt(accessToken).jti as string } }))
    .revokedAt !== null;

describe("POST /oauth/revoke", () => {
  it("revokes a refresh token, its family and its access tokens; 200 with an empty body", async () => {
    const tokens = await grant();
    const response = await POST(
      form("/oauth/revoke", { token: tokens.refresh_token, client_id: client.clientId }),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await isRevoked(tokens.access_token)).toBe(true);
    const refresh = await token(
      form("/oauth/token", {
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token,
        client_id: client.clientId,
      }),
    );
    expect(await refresh.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("revokes an access token", async () => {
    const tokens = await grant();
    const response = await POST(
      form("/oauth/revoke", {
        token: tokens.access_token,
        token_type_hint: "access_token",
        client_id: client.clientId,
      }),
    );
    expect(response.status).toBe(200);
    expect(await isRevoked(tokens.access_token)).toBe(true);
  });

  it("answers 200 to another client's token and changes nothing", async () => {
    const tokens = await grant();
    const other = (await createTestAiClient()).client;
    for (const value of [tokens.refresh_token, tokens.access_token]) {
      const response = await POST(form("/oauth/revoke", { token: value, client_id: other.clientId }));
      expect(response.status).toBe(200);
    }
    expect(await isRevoked(tokens.access_token)).toBe(false);
    const refresh = await token(
      form("/oauth/token", {
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token,
        client_id: client.clientId,
      }),
    );
    expect(refresh.status).toBe(200);
    expect(await refresh.json()).toMatchObject({ token_type: "Bearer" });
  });

  it("answers 200 to an unknown token", async () => {
    const response = await POST(
      form("/oauth/revoke", { token: "tmk_rt_nothing", client_id: client.clientId }),
    );
    expect(response.status).toBe(200);
  });

  it("answers 200 to an over-long token, which is no token Tumiki issued (RFC 7009 §2.2)", async () => {
    const response = await POST(
      form("/oauth/revoke", { token: `tmk_rt_${"x".repeat(5000)}`, client_id: client.clientId }),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });

  it("requires client authentication and a token", async () => {
    const anonymous = await POST(form("/oauth/revoke", { token: "x" }));
    expect(anonymous.status).toBe(400);
    expect(await anonymous.json()).toMatchObject({ error: "invalid_client" });
    const { client: confidential } = await createTestAiClient({
      tokenEndpointAuthMethod: "client_secret_basic",
    });
    const wrong = await POST(
      form(
        "/oauth/revoke",
        { token: "x" },
        { authorization: `Basic ${Buffer.from(`${confidential.clientId}:tmk_cs_wrong`).toString("base64")}` },
      ),
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic /);
    const missing = await POST(form("/oauth/revoke", { client_id: client.clientId }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: "invalid_request" });
  });

  it("still revokes for a client whose address is over its failure budget; a failure there is 429", async () => {
    const ip = randomTestIp();
    const { client: confidential, clientSecret } = await createTestAiClient({
      tokenEndpointAuthMethod: "client_secret_post",
    });
    const revoke = (secret: string) =>
      POST(
        form(
          "/oauth/revoke",
          { token: "x", client_id: confidential.clientId, client_secret: secret },
          { "x-forwarded-for": ip },
        ),
      );
    await waitForFreshWindow(RATE_LIMIT_POLICIES.oauthClientAuthFailure);
    for (let i = 0; i < RATE_LIMIT_POLICIES.oauthClientAuthFailure.attempts; i++)
      expect((await revoke("tmk_cs_wrong")).status).toBe(400);
    expect((await revoke("tmk_cs_wrong")).status).toBe(429);
    expect((await revoke(clientSecret as string)).status).toBe(200);
  });
});
