import { createHash, randomBytes } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { flushAuditEvents } from "@/server/audit/write-audit-event";
import { signConsentRequest } from "@/server/auth/authorize/sign-consent-request";
import { hashOpaqueSecret } from "@/server/auth/opaque-secrets";
import { AUTHORIZATION_CODE_TTL_SECONDS, CONSENT_REQUEST_TTL_SECONDS } from "@/server/auth/token-lifetimes";
import { getDb } from "@/server/db";
import { createTestAiClient, createTestInstance, createTestUser } from "@/server/testing/tier1-fixtures";
import { GET as authorize } from "../route";
import { POST } from "./route";

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("@/server/next-auth", () => ({ auth: async () => session.current }));

const REDIRECT = "http://127.0.0.1:33418/callback";
const APP = "http://localhost:3000";
const db = getDb();

let userId: string;
let instanceId: string;

beforeAll(async () => {
  userId = (await createTestUser()).id;
  instanceId = (await createTestInstance({ userId, serverSlugs: [`figma-${Date.now()}`] })).id;
});

beforeEach(() => {
  session.current = { user: { id: userId } };
});

/** A fresh client, and the consent page's signed request and CSRF cookie as /oauth/authorize made them. */
async function startConsent(options: { scope?: string } = {}) {
  const { client } = await createTestAiClient({ redirectUris: [REDIRECT] });
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const params = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "state-123",
    resource: `${APP}/mcp/${instanceId}`,
    ...(options.scope ? { scope: options.scope } : {}),
  });
  const response = await authorize(new Request(`${APP}/oauth/authorize?${params}`), undefined);
  const location = new URL(response.headers.get("location") ?? "");
  const signedRequest = location.searchParams.get("request");
  const csrf = /tumiki-oauth-csrf=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
  if (!signedRequest || !csrf) throw new Error(`no consent page: ${response.status} ${location}`);
  return { client, challenge, signedRequest, csrf };
}

function decide(options: {
  request: string;
  csrfField?: string;
  csrfCookie?: string;
  decision?: string;
  origin?: string | null;
}) {
  const form = new URLSearchParams({ request: options.request, decision: options.decision ?? "approve" });
  if (options.csrfField !== undefined) form.set("csrf_token", options.csrfField);
  const headers = new Headers({
    "content-type": "application/x-www-form-urlencoded",
    "user-agent": "decision-test",
  });
  if (options.origin !== null) headers.set("origin", options.origin ?? APP);
  if (options.csrfCookie !== undefined) headers.set("cookie", `tumiki-oauth-csrf=${options.csrfCookie}`);
  return POST(
    new Request(`${APP}/oauth/authorize/decision`, { method: "POST", headers, body: form }),
    undefined,
  );
}

async function expectNothingStored(clientRowId: string) {
  expect(await db.authorizationCode.count({ where: { clientId: clientRowId } })).toBe(0);
  expect(await db.consent.count({ where: { clientId: clientRowId } })).toBe(0);
}

describe("POST /oauth/authorize/decision", () => {
  it("approve: stores the consent and a code whose hash matches, and redirects with code, state, iss", async () => {
    const { client, challenge, signedRequest, csrf } = await startConsent();
    const before = Date.now();
    const response = await decide({ request: signedRequest, csrfField: csrf, csrfCookie: csrf });

    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("state")).toBe("state-123");
    expect(location.searchParams.get("iss")).toBe(APP);
    const code = location.searchParams.get("code") ?? "";
    const row = await db.authorizationCode.findUniqueOrThrow({ where: { codeHash: hashOpaqueSecret(code) } });
    expect(row).toMatchObject({
      clientId: client.id,
      userId,
      instanceId,
      redirectUri: REDIRECT,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      scopes: ["mcp:access:*"],
      resource: `${APP}/mcp/${instanceId}`,
      consumedAt: null,
    });
    const ttl = row.expiresAt.getTime() - before;
    expect(ttl).toBeGreaterThan((AUTHORIZATION_CODE_TTL_SECONDS - 60) * 1000);
    expect(ttl).toBeLessThanOrEqual((AUTHORIZATION_CODE_TTL_SECONDS + 60) * 1000);
    expect(await db.consent.findFirstOrThrow({ where: { clientId: client.id } })).toMatchObject({
      userId,
      instanceId,
      scopes: ["mcp:access:*"],
      revokedAt: null,
    });

    await flushAuditEvents();
    const events = await db.auditLog.findMany({
      where: { clientId: client.id },
      orderBy: { createdAt: "asc" },
    });
    expect(events.map((event) => event.eventType).sort()).toEqual([
      "oauth.authorization_granted",
      "oauth.consent_granted",
    ]);
    for (const event of events) {
      expect(event).toMatchObject({
        outcome: "SUCCESS",
        actorUserId: userId,
        instanceId,
        userAgent: "decision-test",
      });
      expect(JSON.stringify(event)).not.toContain(code);
    }
  });

  it("answers a signed request once: a second submission stores nothing more", async () => {
    const { client, signedRequest, csrf } = await startConsent();
    expect((await decide({ request: signedRequest, csrfField: csrf, csrfCookie: csrf })).status).toBe(303);
    const again = await decide({ request: signedRequest, csrfField: csrf, csrfCookie: csrf });
    expect(again.status).toBe(409);
    expect(await db.authorizationCode.count({ where: { clientId: client.id } })).toBe(1);
  });

  it("deny: redirects with access_denied, state and iss, stores nothing and audits the denial", async () => {
    const { client, signedRequest, csrf } = await startConsent();
    const response = await decide({
      request: signedRequest,
      csrfField: csrf,
      csrfCookie: csrf,
      decision: "deny",
    });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("state")).toBe("state-123");
    expect(location.searchParams.get("iss")).toBe(APP);
    expect(location.searchParams.has("code")).toBe(false);
    await expectNothingStored(client.id);
    await flushAuditEvents();
    expect(await db.auditLog.findMany({ where: { clientId: client.id } })).toEqual([
      expect.objectContaining({
        eventType: "oauth.authorization_denied",
        outcome: "DENIED",
        reason: "user_denied",
      }),
    ]);
  });

  describe("refuses with 403 and stores nothing", () => {
    it.each([
      ["no CSRF cookie", (csrf: string) => ({ csrfField: csrf })],
      ["no CSRF field", (csrf: string) => ({ csrfCookie: csrf })],
      [
        "a field that differs from the cookie",
        (csrf: string) => ({ csrfField: `${csrf}x`, csrfCookie: csrf }),
      ],
      [
        "a cookie and field that match each other but not the signed request",
        () => ({ csrfField: "attacker-value", csrfCookie: "attacker-value" }),
      ],
      [
        "a foreign Origin",
        (csrf: string) => ({ csrfField: csrf, csrfCookie: csrf, origin: "https://evil.example" }),
      ],
      ["an opaque Origin", (csrf: string) => ({ csrfField: csrf, csrfCookie: csrf, origin: "null" })],
    ])("%s", async (_name, vary) => {
      const { client, signedRequest, csrf } = await startConsent();
      const response = await decide({ request: signedRequest, ...vary(csrf) });
      expect(response.status).toBe(403);
      expect(response.headers.get("location")).toBeNull();
      expect(response.headers.get("content-type")).toContain("text/html");
      await expectNothingStored(client.id);
    });

    it("another user's signed request, even with its CSRF value", async () => {
      const { client, signedRequest, csrf } = await startConsent();
      session.current = { user: { id: (await createTestUser()).id } };
      const response = await decide({ request: signedRequest, csrfField: csrf, csrfCookie: csrf });
      expect(response.status).toBe(403);
      await expectNothingStored(client.id);
    });
  });

  it("accepts a same-origin post without an Origin header (left to the CSRF token)", async () => {
    const { signedRequest, csrf } = await startConsent();
    const response = await decide({
      request: signedRequest,
      csrfField: csrf,
      csrfCookie: csrf,
      origin: null,
    });
    expect(response.status).toBe(303);
  });

  it("refuses a tampered signed request", async () => {
    const { client, signedRequest, csrf } = await startConsent({ scope: `mcp:access:*` });
    const [header, payload, signature] = signedRequest.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    claims.redirectUri = "http://127.0.0.1:9999/callback";
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    const response = await decide({ request: tampered, csrfField: csrf, csrfCookie: csrf });
    expect(response.status).toBe(400);
    await expectNothingStored(client.id);
  });

  it("refuses an expired signed request", async () => {
    const { client } = await createTestAiClient({ redirectUris: [REDIRECT] });
    const csrf = randomBytes(32).toString("base64url");
    const expired = await signConsentRequest({
      claims: {
        userId,
        clientId: client.id,
        redirectUri: REDIRECT,
        codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        scopes: ["mcp:access:*"],
        instanceId,
        resource: `${APP}/mcp/${instanceId}`,
        csrf,
      },
      now: new Date(Date.now() - (CONSENT_REQUEST_TTL_SECONDS + 60) * 1000),
    });
    const response = await decide({ request: expired, csrfField: csrf, csrfCookie: csrf });
    expect(response.status).toBe(400);
    await expectNothingStored(client.id);
  });

  it("refuses a signed-out user", async () => {
    const { client, signedRequest, csrf } = await startConsent();
    session.current = null;
    const response = await decide({ request: signedRequest, csrfField: csrf, csrfCookie: csrf });
    expect(response.status).toBe(401);
    await expectNothingStored(client.id);
  });

  it("re-checks the request: a client that dropped the redirect URI gets no code and no redirect", async () => {
    const { client, signedRequest, csrf } = await startConsent();
    await db.aiClient.update({
      where: { id: client.id },
      data: { redirectUris: ["https://other.example/cb"] },
    });
    const response = await decide({ request: signedRequest, csrfField: csrf, csrfCookie: csrf });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    await expectNothingStored(client.id);
  });

  it("re-checks the request: a deleted instance is reported to the client as invalid_target", async () => {
    const doomed = await createTestInstance({ userId });
    const { client } = await createTestAiClient({ redirectUris: [REDIRECT] });
    const csrf = randomBytes(32).toString("base64url");
    const signed = await signConsentRequest({
      claims: {
        userId,
        clientId: client.id,
        redirectUri: REDIRECT,
        state: "s",
        codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        scopes: ["mcp:access:*"],
        instanceId: doomed.id,
        resource: `${APP}/mcp/${doomed.id}`,
        csrf,
      },
    });
    await db.mcpInstance.delete({ where: { id: doomed.id } });
    const response = await decide({ request: signed, csrfField: csrf, csrfCookie: csrf });
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_target");
    expect(location.searchParams.get("state")).toBe("s");
    expect(location.searchParams.get("iss")).toBe(APP);
    await expectNothingStored(client.id);
  });

  it("re-checks the request: a server taken out of the instance is reported as invalid_scope, with iss", async () => {
    const slug = `gone-${randomBytes(4).toString("hex")}`;
    const shrinking = await createTestInstance({ userId, serverSlugs: [slug] });
    const { client } = await createTestAiClient({ redirectUris: [REDIRECT] });
    const csrf = randomBytes(32).toString("base64url");
    const signed = await signConsentRequest({
      claims: {
        userId,
        clientId: client.id,
        redirectUri: REDIRECT,
        state: "s2",
        codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        scopes: [`mcp:access:${slug}`],
        instanceId: shrinking.id,
        resource: `${APP}/mcp/${shrinking.id}`,
        csrf,
      },
    });
    await db.mcpInstanceConnection.deleteMany({ where: { instanceId: shrinking.id } });
    const response = await decide({ request: signed, csrfField: csrf, csrfCookie: csrf });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("error")).toBe("invalid_scope");
    expect(location.searchParams.get("state")).toBe("s2");
    expect(location.searchParams.get("iss")).toBe(APP);
    expect(location.searchParams.has("code")).toBe(false);
    await expectNothingStored(client.id);
  });
});
