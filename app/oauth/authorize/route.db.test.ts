import { createHash, randomBytes } from "node:crypto";
import { IssuerMismatchError, validateAuthorizationResponseIssuer } from "@modelcontextprotocol/client";
import * as oauth from "oauth4webapi";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { flushAuditEvents } from "@/server/audit/write-audit-event";
import { getAuthorizationServerMetadata } from "@/server/auth/metadata/get-authorization-server-metadata";
import { hashOpaqueSecret } from "@/server/auth/opaque-secrets";
import { getDb } from "@/server/db";
import { resetEnvCache } from "@/server/env";
import { assertRateLimit } from "@/server/rate-limit/assert-rate-limit";
import { RATE_LIMIT_POLICIES } from "@/server/rate-limit/rate-limit-policies";
import { createTestAiClient, createTestInstance, createTestUser } from "@/server/testing/tier1-fixtures";
import { waitForFreshWindow } from "@/server/testing/wait-for-fresh-window";
import { GET } from "./route";

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("@/server/next-auth", () => ({ auth: async () => session.current }));

const REDIRECT = "http://127.0.0.1:33418/callback";
const db = getDb();
const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");

let userId: string;
let instanceId: string;
let clientId: string;
let clientRowId: string;

beforeAll(async () => {
  userId = (await createTestUser()).id;
  instanceId = (await createTestInstance({ userId, serverSlugs: [`linear-${Date.now()}`] })).id;
  const { client } = await createTestAiClient({ redirectUris: [REDIRECT] });
  clientId = client.clientId;
  clientRowId = client.id;
});

beforeEach(() => {
  session.current = { user: { id: userId } };
});

function authorizeUrl(overrides: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  const all: Record<string, string | undefined> = {
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "xyz",
    resource: `http://localhost:3000/mcp/${instanceId}`,
    ...overrides,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) params.set(name, value);
  return `http://localhost:3000/oauth/authorize?${params}`;
}

const authorize = (overrides: Record<string, string | undefined> = {}) =>
  GET(new Request(authorizeUrl(overrides), { headers: { "user-agent": "route-test" } }), undefined);

const unescapeHtml = (value: string) =>
  value.replace(/&#(\d+);/g, (_entity, code: string) => String.fromCharCode(Number(code)));

/** The "Return to the app" link of an error page, or null. */
function returnLink(html: string): URL | null {
  const match = /<a class="return" href="([^"]*)"[^>]*>Return to the app<\/a>/.exec(html);
  return match?.[1] ? new URL(unescapeHtml(match[1])) : null;
}

describe("GET /oauth/authorize", () => {
  it("sends a signed-out user to sign in, with the authorize request as a same-site callback", async () => {
    session.current = null;
    const response = await authorize();
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe("http://localhost:3000/sign-in");
    const callbackUrl = location.searchParams.get("callbackUrl") ?? "";
    expect(callbackUrl.startsWith("/oauth/authorize?")).toBe(true);
    expect(new URL(callbackUrl, "http://localhost:3000").href).toBe(authorizeUrl());
  });

  it("answers an unknown client with an error page and no redirect", async () => {
    const response = await authorize({ client_id: "unknown-client" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toContain("Unknown AI client");
  });

  it("answers an unregistered redirect URI with an error page that does not echo it", async () => {
    const response = await authorize({ redirect_uri: "https://evil.example/cb" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    const html = await response.text();
    expect(html).toContain("Unregistered redirect address");
    expect(html).not.toContain("evil.example");
  });

  it("answers a PKCE violation of a client never approved with a page linking back, not a redirect", async () => {
    for (const overrides of [{ code_challenge_method: "plain" }, { code_challenge: undefined }]) {
      const response = await authorize({ ...overrides, state: `x<"'&y` });
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
      const html = await response.text();
      expect(html).not.toContain("<script");
      expect(html).toContain("Tumiki refused this request");
      expect(html).toContain("The request is incomplete or malformed (invalid_request)");
      expect(html).toContain("This link leads to <strong>http://127.0.0.1:33418</strong>.");
      // The state is carried only inside the escaped link, never raw into the markup.
      expect(html).not.toContain(`x<"'&y`);
      const link = returnLink(html);
      expect(link && `${link.origin}${link.pathname}`).toBe(REDIRECT);
      expect(link?.searchParams.get("error")).toBe("invalid_request");
      expect(link?.searchParams.get("error_description")).toBeTruthy();
      expect(link?.searchParams.get("state")).toBe(`x<"'&y`);
      expect(link?.searchParams.get("iss")).toBe("http://localhost:3000");
    }
  });

  it("redirects a PKCE violation at once when the user approved the client before", async () => {
    const consent = await db.consent.create({
      data: { userId, clientId: clientRowId, instanceId, scopes: ["mcp:access:*"] },
    });
    try {
      for (const overrides of [{ code_challenge_method: "plain" }, { code_challenge: undefined }]) {
        const response = await authorize(overrides);
        expect(response.status).toBe(303);
        const location = new URL(response.headers.get("location") ?? "");
        expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
        expect(location.searchParams.get("error")).toBe("invalid_request");
        expect(location.searchParams.get("state")).toBe("xyz");
        expect(location.searchParams.get("iss")).toBe("http://localhost:3000");
      }
    } finally {
      await db.consent.delete({ where: { id: consent.id } });
    }
  });

  describe("an error sent back to the client carries state and iss (RFC 9207 §2, error responses included)", () => {
    const as = getAuthorizationServerMetadata() as oauth.AuthorizationServer;
    // A user, instance and client of their own, approved before so that errors are redirected at once,
    // and so that the refusals audited here stay out of the other tests' counts.
    const own = { userId: "", clientId: "", resource: "" };
    beforeAll(async () => {
      own.userId = (await createTestUser()).id;
      const ownInstance = await createTestInstance({ userId: own.userId });
      const { client } = await createTestAiClient({ redirectUris: [REDIRECT] });
      own.clientId = client.clientId;
      own.resource = `http://localhost:3000/mcp/${ownInstance.id}`;
      await db.consent.create({
        data: {
          userId: own.userId,
          clientId: client.id,
          instanceId: ownInstance.id,
          scopes: ["mcp:access:*"],
        },
      });
    });
    beforeEach(() => {
      session.current = { user: { id: own.userId } };
    });

    it.each([
      ["no response_type", { response_type: undefined }, "invalid_request"],
      ["response_type token", { response_type: "token" }, "unsupported_response_type"],
      ["plain PKCE", { code_challenge_method: "plain" }, "invalid_request"],
      ["no resource", { resource: undefined }, "invalid_target"],
      ["a scope the instance does not offer", { scope: "mcp:access:no-such-server" }, "invalid_scope"],
    ])("%s: a strict client reads the error only after checking iss", async (_name, overrides, error) => {
      const response = await authorize({ client_id: own.clientId, resource: own.resource, ...overrides });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get("location") ?? "");
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
      expect(location.searchParams.get("error")).toBe(error);
      expect(location.searchParams.get("iss")).toBe(as.issuer);
      expect(location.searchParams.get("state")).toBe("xyz");

      // oauth4webapi checks iss and state first, then reports the authorization server's error.
      const client = { client_id: own.clientId };
      const read = (() => {
        try {
          oauth.validateAuthResponse(as, client, location, "xyz");
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(read).toBeInstanceOf(oauth.AuthorizationResponseError);
      expect((read as oauth.AuthorizationResponseError).error).toBe(error);
      // The 2026-07-28 MCP SDK's own check of the same response.
      expect(() =>
        validateAuthorizationResponseIssuer({
          iss: location.searchParams.get("iss") ?? undefined,
          expectedIssuer: as.issuer,
          issParameterSupported: as.authorization_response_iss_parameter_supported === true,
        }),
      ).not.toThrow();

      // Without iss, or with another issuer's, neither client may act on the error (MCP 2026-07-28).
      for (const iss of [null, "https://attacker.example.test"]) {
        const forged = new URL(location);
        if (iss === null) forged.searchParams.delete("iss");
        else forged.searchParams.set("iss", iss);
        expect(() => oauth.validateAuthResponse(as, client, forged, "xyz")).toThrow(
          oauth.OperationProcessingError,
        );
        expect(() =>
          validateAuthorizationResponseIssuer({
            iss: iss ?? undefined,
            expectedIssuer: as.issuer,
            issParameterSupported: true,
          }),
        ).toThrow(IssuerMismatchError);
      }
    });
  });

  it("sends a signed-out visitor naming an unstored CIMD client to sign in without fetching it", async () => {
    session.current = null;
    const cimd = `https://client-${randomBytes(4).toString("hex")}.example.test/client.json`;
    const response = await authorize({ client_id: cimd, redirect_uri: "https://elsewhere.example/cb" });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe("http://localhost:3000/sign-in");
    expect(await db.aiClient.findUnique({ where: { clientId: cimd } })).toBeNull();
  });

  it("sends a signed-out visitor to sign in, never to the client, even for a broken request", async () => {
    session.current = null;
    const response = await authorize({ code_challenge_method: "plain" });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe("http://localhost:3000/sign-in");
  });

  it("answers a user past their CIMD registrations with a 429 page, fetching nothing", async () => {
    vi.stubEnv("TRUSTED_PROXY_HOPS", "1");
    resetEnvCache();
    try {
      await waitForFreshWindow(RATE_LIMIT_POLICIES.cimdFetch);
      const busy = (await createTestUser()).id;
      session.current = { user: { id: busy } };
      const ip = `198.51.100.${randomBytes(4).toString("hex")}`;
      for (let i = 0; i < RATE_LIMIT_POLICIES.cimdFetch.attempts; i += 1) {
        await assertRateLimit("cimdFetch", `user:${busy}`);
      }
      const response = await GET(
        new Request(authorizeUrl({ client_id: "https://client.example.test/oauth/client.json" }), {
          headers: { "x-forwarded-for": ip },
        }),
        undefined,
      );
      expect(response.status).toBe(429);
      expect(response.headers.get("location")).toBeNull();
      expect(await response.text()).toContain("Too many new AI clients");
    } finally {
      vi.unstubAllEnvs();
      resetEnvCache();
    }
  });

  it("refuses another user's instance as invalid_target, and audits the refusal", async () => {
    const other = await createTestUser();
    const foreign = await createTestInstance({ userId: other.id });
    const response = await authorize({ resource: `http://localhost:3000/mcp/${foreign.id}` });
    expect(returnLink(await response.text())?.searchParams.get("error")).toBe("invalid_target");
    await flushAuditEvents();
    const events = await db.auditLog.findMany({ where: { actorUserId: userId, reason: "invalid_target" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventType: "oauth.authorization_denied",
      outcome: "FAILURE",
      clientId: clientRowId,
    });
  });

  it("sends a client without a consent to the consent page with a signed request and a CSRF cookie", async () => {
    const codesBefore = await db.authorizationCode.count();
    const response = await authorize();
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe("http://localhost:3000/oauth/authorize/consent");
    expect(location.searchParams.get("request")?.split(".")).toHaveLength(3);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^tumiki-oauth-csrf=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain("HttpOnly");
    // Lax, so the cookie comes along on the client's cross-site navigation here and is reused.
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(await db.authorizationCode.count()).toBe(codesBefore);
  });

  it("keeps the browser's CSRF cookie, so two pending consent pages both stay valid", async () => {
    const value = randomBytes(32).toString("base64url");
    const response = await GET(
      new Request(authorizeUrl(), { headers: { cookie: `other=1; tumiki-oauth-csrf=${value}` } }),
      undefined,
    );
    expect(response.headers.get("set-cookie")).toContain(`tumiki-oauth-csrf=${value};`);
  });

  it("grants at once when a remembered consent covers the request", async () => {
    await db.consent.create({
      data: { userId, clientId: clientRowId, instanceId, scopes: ["mcp:access:*"] },
    });
    const response = await authorize();
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("state")).toBe("xyz");
    expect(location.searchParams.get("iss")).toBe("http://localhost:3000");
    const code = location.searchParams.get("code") ?? "";
    expect(code.startsWith("tmk_ac_")).toBe(true);
    const row = await db.authorizationCode.findUniqueOrThrow({ where: { codeHash: hashOpaqueSecret(code) } });
    expect(row).toMatchObject({ clientId: clientRowId, userId, instanceId, redirectUri: REDIRECT });
    await flushAuditEvents();
    const granted = await db.auditLog.findMany({
      where: { actorUserId: userId, eventType: "oauth.authorization_granted" },
    });
    expect(granted.map((event) => event.detail)).toContainEqual(
      expect.objectContaining({ rememberedConsent: true, redirectTarget: "http://127.0.0.1:33418" }),
    );
    await db.consent.deleteMany({ where: { clientId: clientRowId } });
  });
});
