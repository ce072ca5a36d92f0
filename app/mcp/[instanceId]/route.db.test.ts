import { randomUUID } from "node:crypto";
import { base64url, SignJWT } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { flushAuditEvents } from "@/server/audit/write-audit-event";
import { createApiKey } from "@/server/auth/api-keys/create-api-key";
import { revokeApiKey } from "@/server/auth/api-keys/revoke-api-key";
import { getProtectedResourceMetadataUrl } from "@/server/auth/resource-urls";
import { CLOCK_SKEW_SECONDS } from "@/server/auth/token-lifetimes";
import { issueAccessToken } from "@/server/auth/tokens/issue-access-token";
import { getDb } from "@/server/db";
import { assertRateLimit } from "@/server/rate-limit/assert-rate-limit";
import { RATE_LIMIT_POLICIES } from "@/server/rate-limit/rate-limit-policies";
import {
  getActivePublicJwk,
  signTestAccessToken,
  type TTestTokenOptions,
} from "@/server/testing/mcp-auth-fixtures";
import {
  createTestAiClient,
  createTestInstance,
  createTestUser,
  randomTestIp,
  stubTrustedProxyHop,
} from "@/server/testing/tier1-fixtures";
import { waitForFreshWindow } from "@/server/testing/wait-for-fresh-window";
import { GET, POST } from "./route";

// The /mcp/{instanceId} route through withMcpAuth, on a real database: one valid credential of each
// kind, then a negative test for every rule of the auth check and of the interim JSON-RPC answerer.

const APP = "http://localhost:3000";
const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1" } },
};

let user: { id: string };
let instance: { id: string };
let otherInstance: { id: string };
let otherUserId: string;
let client: { id: string; clientId: string };

// Each call comes from its own address (see `call`), so no audit throttling joins two tests.
stubTrustedProxyHop();

beforeAll(async () => {
  user = await createTestUser();
  instance = await createTestInstance({ userId: user.id, serverSlugs: ["notion"] });
  const otherUser = await createTestUser();
  otherUserId = otherUser.id;
  otherInstance = await createTestInstance({ userId: otherUser.id });
  client = (await createTestAiClient()).client;
});

// The user agent each response's request was sent with: its audit row is found by it, never by "the
// newest row", which another test may have written.
const userAgents = new WeakMap<Response, string>();

const call = async (
  options: {
    token?: string;
    body?: unknown;
    rawBody?: BodyInit;
    instanceId?: string;
    query?: string;
    headers?: Record<string, string>;
  } = {},
) => {
  const instanceId = options.instanceId ?? instance.id;
  const userAgent = `vitest-${randomUUID()}`;
  const headers = new Headers({
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "user-agent": userAgent,
    "x-forwarded-for": randomTestIp(),
    ...options.headers,
  });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const request = new Request(`${APP}/mcp/${instanceId}${options.query ?? ""}`, {
    method: "POST",
    headers,
    body: options.rawBody ?? JSON.stringify(options.body ?? INITIALIZE),
  });
  const response = await POST(request, { params: Promise.resolve({ instanceId }) });
  userAgents.set(response, userAgent);
  return response;
};

const findAuthFailure = async (response: Response) => {
  await flushAuditEvents();
  return getDb().auditLog.findFirst({
    where: { eventType: "mcp.auth_failed", userAgent: userAgents.get(response) ?? "none" },
  });
};

const token = async (overrides: Partial<TTestTokenOptions> = {}) =>
  (await signTestAccessToken({ userId: user.id, instanceId: instance.id, client, ...overrides })).token;

const expectInvalidToken = async (response: Response, reason: string) => {
  expect(response.status).toBe(401);
  const challenge = response.headers.get("www-authenticate") ?? "";
  expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"/);
  expect(challenge).toContain(`resource_metadata="${getProtectedResourceMetadataUrl(instance.id)}"`);
  const body = await response.json();
  expect(body.error).toBe("invalid_token");
  const event = await findAuthFailure(response);
  expect(event).toMatchObject({
    outcome: "FAILURE",
    reason,
    instanceId: instance.id,
    actorUserId: null,
    detail: { instanceOwnerId: user.id },
  });
  expect(JSON.stringify(event)).not.toMatch(/eyJ|tumiki_/);
};

describe("POST /mcp/{instanceId} with a valid credential", () => {
  it("answers initialize for a token issued by the token endpoint's issuer", async () => {
    const issued = await issueAccessToken({
      client,
      userId: user.id,
      instanceId: instance.id,
      scopes: ["mcp:access:*"],
    });
    const response = await call({ token: issued.accessToken });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      jsonrpc: "2.0",
      id: 1,
      result: {
        protocolVersion: "2025-06-18",
        capabilities: { tools: { listChanged: true } },
        serverInfo: { name: "tumiki" },
      },
    });
    expect(typeof body.result.instructions).toBe("string");
  });

  it("accepts the typ in its media-type form and a lower-case scheme", async () => {
    const response = await call({
      headers: { authorization: `bearer ${await token({ header: { typ: "application/AT+JWT" } })}` },
    });
    expect(response.status).toBe(200);
  });

  it("answers the latest protocol version to a client asking for an unknown one", async () => {
    const response = await call({
      token: await token(),
      body: { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: "1999-01-01" } },
    });
    expect((await response.json()).result.protocolVersion).toBe("2025-11-25");
  });

  it("starts a session that answers ping, 202 to a notification, -32601 to unknown methods", async () => {
    const t = await token();
    const initialized = await call({ token: t });
    const sessionId = initialized.headers.get("mcp-session-id") ?? "";
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const inSession = (body: unknown) => call({ token: t, body, headers: { "mcp-session-id": sessionId } });
    expect(await (await inSession({ jsonrpc: "2.0", id: "p", method: "ping" })).json()).toEqual({
      jsonrpc: "2.0",
      id: "p",
      result: {},
    });
    const note = await inSession({ jsonrpc: "2.0", method: "notifications/initialized" });
    expect(note.status).toBe(202);
    expect(await note.text()).toBe("");
    // A method of a client (Tumiki serves none of them) and one of 2026-07-28 only.
    for (const method of ["sampling/createMessage", "server/discover"]) {
      const other = await inSession({ jsonrpc: "2.0", id: 3, method });
      expect(other.status).toBe(200);
      expect((await other.json()).error.code).toBe(-32601);
    }
  });
});

describe("POST /mcp/{instanceId} refuses", () => {
  it("a request without Authorization: 401 with resource_metadata and no error code", async () => {
    const response = await call();
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer scope="mcp:access:*", resource_metadata="${getProtectedResourceMetadataUrl(instance.id)}"`,
    );
    expect(await findAuthFailure(response)).toMatchObject({
      reason: "missing_token",
      actorUserId: null,
      detail: { instanceOwnerId: user.id },
    });
  });

  it("a valid token in the query string only", async () => {
    const response = await call({ query: `?access_token=${await token()}` });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).not.toContain("error=");
  });

  it("a scheme other than Bearer", async () => {
    await expectInvalidToken(
      await call({ headers: { authorization: `Basic ${await token()}` } }),
      "malformed_authorization_header",
    );
  });

  it("a token that is not a JWT", async () => {
    await expectInvalidToken(await call({ token: "not-a-jwt" }), "malformed_token");
  });

  it("a token for another instance (aud of another instance's URL)", async () => {
    await expectInvalidToken(
      await call({ token: await token({ claims: { aud: `${APP}/mcp/${otherInstance.id}` } }) }),
      "wrong_audience",
    );
  });

  it("a token accepted on its own instance, then presented on another (the remembered check is per audience)", async () => {
    const t = await token();
    expect((await call({ token: t })).status).toBe(200);
    const elsewhere = await call({ token: t, instanceId: otherInstance.id });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await findAuthFailure(elsewhere)).toMatchObject({
      reason: "wrong_audience",
      instanceId: otherInstance.id,
    });
  });

  it("a token whose aud lists this instance among others", async () => {
    const aud = [`${APP}/mcp/${instance.id}`, `${APP}/mcp/${otherInstance.id}`];
    await expectInvalidToken(await call({ token: await token({ claims: { aud } }) }), "wrong_audience");
  });

  it("a token from another issuer", async () => {
    await expectInvalidToken(
      await call({ token: await token({ claims: { iss: "https://evil.example" } }) }),
      "wrong_issuer",
    );
  });

  it("alg none", async () => {
    const good = await token();
    const [, payload] = good.split(".");
    const header = base64url.encode(JSON.stringify({ alg: "none", typ: "at+jwt" }));
    await expectInvalidToken(await call({ token: `${header}.${payload}.` }), "wrong_alg");
  });

  it("HS256 signed with the public key (as JWK JSON and as its x coordinate)", async () => {
    const jwk = await getActivePublicJwk();
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: APP,
      aud: `${APP}/mcp/${instance.id}`,
      sub: user.id,
      client_id: client.clientId,
      scope: "mcp:access:*",
      jti: randomUUID(),
      iat: now,
      exp: now + 600,
    };
    for (const secret of [JSON.stringify(jwk), String(jwk.x)]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: String(jwk.kid) })
        .sign(new TextEncoder().encode(secret));
      await expectInvalidToken(await call({ token: forged }), "wrong_alg");
    }
  });

  it("an unknown kid", async () => {
    await expectInvalidToken(
      await call({ token: await token({ header: { kid: "no-such-kid" } }) }),
      "unknown_kid",
    );
  });

  it("a forged signature", async () => {
    const good = await token();
    const [header, payload, signature] = good.split(".") as [string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;
    await expectInvalidToken(await call({ token: `${header}.${payload}.${flipped}` }), "invalid_signature");
  });

  it('typ "JWT"', async () => {
    await expectInvalidToken(await call({ token: await token({ header: { typ: "JWT" } }) }), "wrong_typ");
  });

  it("an expired token (beyond the clock skew)", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectInvalidToken(
      await call({ token: await token({ claims: { iat: now - 1000, exp: now - 60 } }) }),
      "expired",
    );
  });

  it("a token that expires after it was accepted, though its verification is remembered", async () => {
    const now = Math.floor(Date.now() / 1000);
    const t = await token({ claims: { iat: now - 10, exp: now + 2 } });
    expect((await call({ token: t })).status).toBe(200);
    expect((await call({ token: t })).status).toBe(200);
    // Past exp and the clock skew: the remembered verification has ended with the token.
    vi.useFakeTimers({ toFake: ["Date"], now: (now + 2 + CLOCK_SKEW_SECONDS + 1) * 1000 });
    try {
      await expectInvalidToken(await call({ token: t }), "expired");
    } finally {
      vi.useRealTimers();
    }
  });

  it("a token issued in the future (beyond the clock skew)", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectInvalidToken(
      await call({ token: await token({ claims: { iat: now + 300, exp: now + 1200 } }) }),
      "issued_in_future",
    );
  });

  it("a token without client_id", async () => {
    await expectInvalidToken(
      await call({ token: await token({ claims: { client_id: undefined } }) }),
      "missing_claim",
    );
  });

  it("a revoked jti", async () => {
    await expectInvalidToken(await call({ token: await token({ revoked: true }) }), "revoked");
  });

  it("a revocation at once, though the token worked a moment before", async () => {
    const { token: t, jti } = await signTestAccessToken({ userId: user.id, instanceId: instance.id, client });
    expect((await call({ token: t })).status).toBe(200);
    await getDb().issuedAccessToken.update({ where: { jti }, data: { revokedAt: new Date() } });
    await expectInvalidToken(await call({ token: t }), "revoked");
  });

  it("a signed token without an IssuedAccessToken row", async () => {
    await expectInvalidToken(await call({ token: await token({ withRecord: false }) }), "unknown_jti");
  });

  it("a token for an instance of another user", async () => {
    const t = (await signTestAccessToken({ userId: user.id, instanceId: otherInstance.id, client })).token;
    const response = await call({ token: t, instanceId: otherInstance.id });
    expect(response.status).toBe(401);
    // The row is the other instance's owner's to see: it was their instance that was tried.
    expect(await findAuthFailure(response)).toMatchObject({
      reason: "instance_not_owned",
      instanceId: otherInstance.id,
      actorUserId: null,
      detail: { instanceOwnerId: otherUserId },
    });
  });

  it("a malformed instance id with 404, before any auth", async () => {
    const response = await call({ instanceId: "not-a-uuid", token: await token() });
    expect(response.status).toBe(404);
    expect(response.headers.get("www-authenticate")).toBeNull();
  });

  it("an unknown instance id with 401", async () => {
    const unknown = randomUUID();
    const t = (await signTestAccessToken({ userId: user.id, instanceId: unknown, client, withRecord: false }))
      .token;
    const response = await call({ token: t, instanceId: unknown });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain(getProtectedResourceMetadataUrl(unknown));
    // No instance, no owner to tell: a request to a random UUID leaves no audit row.
    expect(await findAuthFailure(response)).toBeNull();
  });
});

describe("POST /mcp/{instanceId} with API keys", () => {
  it("accepts a valid key and refuses it for another instance", async () => {
    const { key } = await createApiKey({ userId: user.id, instanceId: instance.id, name: "ci" });
    expect((await call({ token: key })).status).toBe(200);
    const response = await call({ token: key, instanceId: otherInstance.id });
    expect(response.status).toBe(401);
    expect((await findAuthFailure(response))?.reason).toBe("api_key_wrong_instance");
  });

  it("refuses an unknown key", async () => {
    await expectInvalidToken(await call({ token: `tumiki_${"x".repeat(43)}` }), "unknown_api_key");
  });

  it("refuses an expired key", async () => {
    const { id, key } = await createApiKey({
      userId: user.id,
      instanceId: instance.id,
      name: "short",
      expiresAt: new Date(Date.now() + 60_000),
    });
    await getDb().mcpApiKey.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectInvalidToken(await call({ token: key }), "api_key_expired");
  });

  it("refuses a revoked key at once, although it was cached a moment before", async () => {
    const { id, key } = await createApiKey({ userId: user.id, instanceId: instance.id, name: "revoke me" });
    expect((await call({ token: key })).status).toBe(200);
    await revokeApiKey({ userId: user.id, id });
    await expectInvalidToken(await call({ token: key }), "api_key_revoked");
  });
});

describe("POST /mcp/{instanceId} rate limit", () => {
  it("answers 429 with Retry-After once the user's hourly budget is spent", async () => {
    await waitForFreshWindow(RATE_LIMIT_POLICIES.mcpRequest);
    const limited = await createTestUser();
    const limitedInstance = await createTestInstance({ userId: limited.id });
    const t = (await signTestAccessToken({ userId: limited.id, instanceId: limitedInstance.id, client }))
      .token;
    expect((await call({ token: t, instanceId: limitedInstance.id })).status).toBe(200);
    // Spend the rest of the production budget (1000 an hour) through the same policy and store.
    for (let i = 1; i < RATE_LIMIT_POLICIES.mcpRequest.attempts; i++) {
      await assertRateLimit("mcpRequest", limited.id);
    }
    const response = await call({ token: t, instanceId: limitedInstance.id });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = await response.json();
    expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000 } });
    // Another user is not affected.
    expect((await call({ token: await token() })).status).toBe(200);
  });
});

describe("POST /mcp/{instanceId} JSON-RPC edge", () => {
  it("answers a body that is not JSON with -32700, id null, HTTP 400 and no stack trace", async () => {
    const response = await call({ token: await token(), rawBody: "{not json" });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
    expect(text).not.toMatch(/at .*\.ts|SyntaxError|stack/);
  });

  it("refuses batches and non-request objects with -32600", async () => {
    const t = await token();
    const batch = await call({ token: t, body: [INITIALIZE] });
    expect(batch.status).toBe(400);
    expect((await batch.json()).error.code).toBe(-32600);
    for (const body of [42, { id: 1, method: "ping" }, { jsonrpc: "2.0", id: {}, method: "ping" }]) {
      const response = await call({ token: t, body });
      expect((await response.json()).error.code).toBe(-32600);
    }
  });

  it("answers a body over 1 MB with 413", async () => {
    const big = JSON.stringify({ ...INITIALIZE, padding: "x".repeat(1024 * 1024) });
    const response = await call({ token: await token(), rawBody: big });
    expect(response.status).toBe(413);
  });

  it("answers GET without a session with 405 (2026-07-28 has no GET; a 2025 stream needs its session)", async () => {
    const request = new Request(`${APP}/mcp/${instance.id}`, {
      headers: { authorization: `Bearer ${await token()}`, accept: "text/event-stream" },
    });
    const response = await GET(request, { params: Promise.resolve({ instanceId: instance.id }) });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST, GET, DELETE");
    expect((await response.json()).error.code).toBe(-32000);
  });
});
