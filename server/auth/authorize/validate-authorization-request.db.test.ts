import { createHash, randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db";
import type { AiClient } from "../../generated/prisma/client";
import { assertRateLimit } from "../../rate-limit/assert-rate-limit";
import { RATE_LIMIT_POLICIES } from "../../rate-limit/rate-limit-policies";
import { createTestAiClient, createTestInstance, createTestUser } from "../../testing/tier1-fixtures";
import { waitForFreshWindow } from "../../testing/wait-for-fresh-window";
import { maySkipConsentPage } from "./may-skip-consent-page";
import {
  type TAuthorizationValidation,
  validateAuthorizationRequest,
} from "./validate-authorization-request";

const LOOPBACK = "http://127.0.0.1:33418/callback";
const HTTPS_REDIRECT = "https://app.example.test/cb";
const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");

let userId: string;
let otherUserId: string;
let instanceId: string;
let otherInstanceId: string;
let client: AiClient;
let slug: string;

beforeAll(async () => {
  const user = await createTestUser();
  const other = await createTestUser();
  userId = user.id;
  otherUserId = other.id;
  slug = `notion-${randomBytes(3).toString("hex")}`;
  instanceId = (await createTestInstance({ userId, serverSlugs: [slug] })).id;
  otherInstanceId = (await createTestInstance({ userId: otherUserId })).id;
  ({ client } = await createTestAiClient({ redirectUris: [LOOPBACK, HTTPS_REDIRECT] }));
});

function query(overrides: Record<string, string | string[] | undefined> = {}): URLSearchParams {
  const params: Record<string, string | string[] | undefined> = {
    client_id: client.clientId,
    redirect_uri: LOOPBACK,
    response_type: "code",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "st-1",
    resource: `http://localhost:3000/mcp/${instanceId}`,
    ...overrides,
  };
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const entry of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      search.append(name, entry);
    }
  }
  return search;
}

// A fresh address per call keeps the cimdFetch budget of one test out of the others'.
const freshIp = () => `198.51.100.${randomBytes(4).toString("hex")}`;

const validate = (
  overrides: Record<string, string | string[] | undefined> = {},
  asUser: string | null = userId,
  ip = freshIp(),
) => validateAuthorizationRequest({ query: query(overrides), userId: asUser, ip });

function expectRedirectError(result: TAuthorizationValidation, error: string) {
  expect(result.outcome).toBe("redirect_error");
  if (result.outcome !== "redirect_error") return;
  expect(result.error.error).toBe(error);
  expect(result.state).toBe("st-1");
}

describe("validateAuthorizationRequest", () => {
  it("accepts a complete request and defaults the scope to the whole instance", async () => {
    const result = await validate();
    expect(result.outcome).toBe("valid");
    if (result.outcome !== "valid") return;
    expect(result.request).toMatchObject({
      userId,
      redirectUri: LOOPBACK,
      state: "st-1",
      codeChallenge: challenge,
      scopes: ["mcp:access:*"],
      resource: `http://localhost:3000/mcp/${instanceId}`,
      instance: { id: instanceId, userId },
    });
    expect(result.request.client.id).toBe(client.id);
  });

  it("accepts a per-server scope the instance offers", async () => {
    const result = await validate({ scope: `mcp:access:${slug}` });
    expect(result.outcome === "valid" && result.request.scopes).toEqual([`mcp:access:${slug}`]);
  });

  it("accepts a loopback redirect URI on another port (RFC 8252), keeping it as sent", async () => {
    const result = await validate({ redirect_uri: "http://127.0.0.1:50123/callback" });
    expect(result.outcome === "valid" && result.request.redirectUri).toBe("http://127.0.0.1:50123/callback");
  });

  describe("shows an error page, never a redirect, when the client or redirect URI is not trusted", () => {
    it.each([
      ["no client_id", { client_id: undefined }, "missing_client"],
      ["a repeated client_id", { client_id: ["a", "b"] }, "missing_client"],
      ["an unknown client", { client_id: "no-such-client" }, "unknown_client"],
      ["no redirect_uri", { redirect_uri: undefined }, "invalid_redirect_uri"],
      ["a repeated redirect_uri", { redirect_uri: [LOOPBACK, LOOPBACK] }, "invalid_redirect_uri"],
      ["a trailing slash", { redirect_uri: `${HTTPS_REDIRECT}/` }, "invalid_redirect_uri"],
      ["another case", { redirect_uri: "https://app.example.test/CB" }, "invalid_redirect_uri"],
      ["another host case", { redirect_uri: "https://APP.example.test/cb" }, "invalid_redirect_uri"],
      ["an extra query", { redirect_uri: `${HTTPS_REDIRECT}?next=evil` }, "invalid_redirect_uri"],
      ["a fragment", { redirect_uri: `${HTTPS_REDIRECT}#x` }, "invalid_redirect_uri"],
      [
        "another port on a non-loopback host",
        { redirect_uri: "https://app.example.test:8443/cb" },
        "invalid_redirect_uri",
      ],
      ["an unregistered host", { redirect_uri: "https://evil.example/cb" }, "invalid_redirect_uri"],
    ])("%s", async (_name, overrides, reason) => {
      expect(await validate(overrides)).toEqual({ outcome: "error_page", reason });
    });

    it("a CIMD client_id on a loopback address, without saying what the network answered", async () => {
      const result = await validate({ client_id: "https://127.0.0.1/client.json" });
      expect(result).toMatchObject({ outcome: "error_page", reason: "unusable_client_metadata" });
      expect(result.outcome === "error_page" && result.detail).toBe(
        "The client metadata document could not be fetched.",
      );
    });

    it("an M2M client, or a client without redirect URIs", async () => {
      const { client: m2m } = await createTestAiClient({
        kind: "M2M",
        redirectUris: [LOOPBACK],
        grantTypes: ["client_credentials"],
        tokenEndpointAuthMethod: "client_secret_basic",
        ownerUserId: userId,
        instanceId,
      });
      expect(await validate({ client_id: m2m.clientId })).toEqual({
        outcome: "error_page",
        reason: "unsupported_client",
      });
      const { client: bare } = await createTestAiClient({ redirectUris: [] });
      expect(await validate({ client_id: bare.clientId })).toEqual({
        outcome: "error_page",
        reason: "unsupported_client",
      });
    });

    it("a disabled client", async () => {
      const { client: disabled } = await createTestAiClient();
      await getDb().aiClient.update({ where: { id: disabled.id }, data: { disabledAt: new Date() } });
      expect(await validate({ client_id: disabled.clientId })).toEqual({
        outcome: "error_page",
        reason: "unknown_client",
      });
    });
  });

  describe("reports every other problem to the client by redirect", () => {
    it.each([
      ["no response_type", { response_type: undefined }, "invalid_request"],
      ["response_type=token", { response_type: "token" }, "unsupported_response_type"],
      ["no code_challenge", { code_challenge: undefined }, "invalid_request"],
      [
        "no code_challenge_method (would mean plain)",
        { code_challenge_method: undefined },
        "invalid_request",
      ],
      ["code_challenge_method=plain", { code_challenge_method: "plain" }, "invalid_request"],
      ["a malformed challenge", { code_challenge: "short" }, "invalid_request"],
      ["a repeated parameter", { scope: ["mcp:access:*", "mcp:access:*"] }, "invalid_request"],
      ["a repeated resource (RFC 8707)", { resource: ["SAME", "SAME"] }, "invalid_target"],
      [
        "an oversized parameter",
        { resource: `http://localhost:3000/mcp/${"x".repeat(3000)}` },
        "invalid_request",
      ],
      ["no resource", { resource: undefined }, "invalid_target"],
      ["another user's instance", { resource: "OTHER" }, "invalid_target"],
      ["an unknown instance", { resource: `http://localhost:3000/mcp/${randomUUID()}` }, "invalid_target"],
      ["a non-canonical resource", { resource: "TRAILING" }, "invalid_target"],
      ["a foreign resource", { resource: "https://elsewhere.example/mcp" }, "invalid_target"],
      ["a scope the instance does not offer", { scope: "mcp:access:other-server" }, "invalid_scope"],
      ["a scope that is a prefix of an offered one", { scope: "mcp:access:not" }, "invalid_scope"],
      ["a scope of another model", { scope: "openid" }, "invalid_scope"],
    ])("%s", async (_name, overrides, error) => {
      const resolved = { ...overrides } as Record<string, string | string[] | undefined>;
      if (resolved.resource === "OTHER") resolved.resource = `http://localhost:3000/mcp/${otherInstanceId}`;
      if (resolved.resource === "TRAILING") resolved.resource = `http://localhost:3000/mcp/${instanceId}/`;
      if (Array.isArray(resolved.resource)) {
        resolved.resource = resolved.resource.map(() => `http://localhost:3000/mcp/${instanceId}`);
      }
      const result = await validate(resolved);
      expectRedirectError(result, error);
      expect(result.outcome === "redirect_error" && result.redirectUri).toBe(LOOPBACK);
    });

    it("refuses a client not registered for authorization_code", async () => {
      const { client: ccOnly } = await createTestAiClient({ grantTypes: ["client_credentials"] });
      expectRedirectError(await validate({ client_id: ccOnly.clientId }), "unauthorized_client");
    });
  });

  it("asks a signed-out user to sign in once the client and redirect URI are trusted", async () => {
    expect(await validate({}, null)).toEqual({ outcome: "sign_in_required" });
    expect(await validate({ client_id: "no-such-client" }, null)).toEqual({
      outcome: "error_page",
      reason: "unknown_client",
    });
  });

  it("never redirects a signed-out visitor to the client (no open redirect)", async () => {
    // Anyone can register https://evil as a redirect URI; only a signed-in user may be sent there.
    const { client: evil } = await createTestAiClient({ redirectUris: ["https://evil.example/landing"] });
    const broken = { client_id: evil.clientId, redirect_uri: "https://evil.example/landing" };
    for (const overrides of [
      { ...broken, response_type: "token" },
      { ...broken, code_challenge_method: "plain" },
      { ...broken, scope: ["a", "b"] },
      { ...broken, resource: undefined },
    ]) {
      expect(await validate(overrides, null)).toEqual({ outcome: "sign_in_required" });
    }
    // Once signed in the same request is answered for the client, carrying the user for the audit, but
    // not by automatic redirect: the user never approved this client (RFC 9700 §4.11.2).
    const result = await validate({ ...broken, code_challenge_method: "plain" });
    expect(result).toMatchObject({ outcome: "redirect_error", userId, automatic: false });
  });

  it("redirects an error automatically only when the user has a standing consent for the client", async () => {
    const { client: known } = await createTestAiClient({ redirectUris: [LOOPBACK] });
    const broken = { client_id: known.clientId, code_challenge_method: "plain" };
    expect(await validate(broken)).toMatchObject({ outcome: "redirect_error", automatic: false });

    // Another user's consent for the client does not count.
    const foreign = await getDb().consent.create({
      data: {
        userId: otherUserId,
        clientId: known.id,
        instanceId: otherInstanceId,
        scopes: ["mcp:access:*"],
      },
    });
    expect(await validate(broken)).toMatchObject({ outcome: "redirect_error", automatic: false });

    // A consent of this user, for any of their instances, does.
    const own = await getDb().consent.create({
      data: { userId, clientId: known.id, instanceId, scopes: [`mcp:access:${slug}`] },
    });
    expectRedirectError(await validate(broken), "invalid_request");
    expect(await validate(broken)).toMatchObject({ outcome: "redirect_error", automatic: true });

    // A revoked one no longer does.
    await getDb().consent.update({ where: { id: own.id }, data: { revokedAt: new Date() } });
    expect(await validate(broken)).toMatchObject({ outcome: "redirect_error", automatic: false });
    await getDb().consent.deleteMany({ where: { id: { in: [own.id, foreign.id] } } });
  });

  it("sends a signed-out visitor naming an unstored CIMD client to sign in, fetching nothing", async () => {
    const clientId = `https://client-${randomBytes(4).toString("hex")}.example.test/client.json`;
    // Signed in, the same URL is fetched (and fails: the host does not exist).
    const signedOut = await validate({ client_id: clientId, redirect_uri: "https://evil.example/x" }, null);
    expect(signedOut).toEqual({ outcome: "sign_in_required" });
    expect(await validate({ client_id: clientId })).toMatchObject({
      outcome: "error_page",
      reason: "unusable_client_metadata",
    });
    expect(await getDb().aiClient.findUnique({ where: { clientId } })).toBeNull();
    // A malformed CIMD URL is refused at once, signed in or not.
    expect(await validate({ client_id: "https://client.example.test:8443/c.json" }, null)).toMatchObject({
      outcome: "error_page",
      reason: "unusable_client_metadata",
    });
  });

  it("checks a stored CIMD client and its redirect URI before sign-in, as any other client", async () => {
    const clientId = `https://stored-${randomBytes(4).toString("hex")}.example.test/client.json`;
    await getDb().aiClient.create({
      data: {
        clientId,
        kind: "CIMD",
        name: "Stored CIMD client",
        redirectUris: [HTTPS_REDIRECT],
        tokenEndpointAuthMethod: "none",
        metadata: { document: {}, cacheMaxAgeSeconds: 3600 },
        metadataFetchedAt: new Date(),
      },
    });
    expect(await validate({ client_id: clientId, redirect_uri: "https://evil.example/x" }, null)).toEqual({
      outcome: "error_page",
      reason: "invalid_redirect_uri",
    });
    expect(await validate({ client_id: clientId, redirect_uri: HTTPS_REDIRECT }, null)).toEqual({
      outcome: "sign_in_required",
    });
  });

  it("shows a rate-limit page once the user fetched too many new CIMD documents, not the address", async () => {
    await waitForFreshWindow(RATE_LIMIT_POLICIES.cimdFetch);
    const busy = (await createTestUser()).id;
    const ip = freshIp();
    for (let i = 0; i < RATE_LIMIT_POLICIES.cimdFetch.attempts; i += 1) {
      await assertRateLimit("cimdFetch", `user:${busy}`);
      await assertRateLimit("cimdFetch", ip);
    }
    const clientId = `https://client-${randomBytes(4).toString("hex")}.example.test/client.json`;
    expect(await validate({ client_id: clientId }, busy, freshIp())).toEqual({
      outcome: "error_page",
      reason: "rate_limited",
    });
    expect(await getDb().aiClient.findUnique({ where: { clientId } })).toBeNull();
    // Another user on the spent address is still served (here: the fetch itself fails).
    expect(await validate({ client_id: clientId }, userId, ip)).toMatchObject({
      reason: "unusable_client_metadata",
    });
  });
});

describe("maySkipConsentPage", () => {
  async function validRequest(overrides: Record<string, string> = {}, clientRow: AiClient = client) {
    const result = await validate({ client_id: clientRow.clientId, ...overrides });
    if (result.outcome !== "valid") throw new Error(`expected a valid request, got ${result.outcome}`);
    return result.request;
  }

  it("shows the page to a client without a consent (a newly registered client)", async () => {
    const { client: fresh } = await createTestAiClient();
    expect(await maySkipConsentPage({ request: await validRequest({}, fresh) })).toBe(false);
  });

  it("skips it when a standing consent covers the scopes, `*` covering any single server", async () => {
    const { client: known } = await createTestAiClient();
    await getDb().consent.create({
      data: { userId, clientId: known.id, instanceId, scopes: ["mcp:access:*"] },
    });
    expect(await maySkipConsentPage({ request: await validRequest({}, known) })).toBe(true);
    expect(
      await maySkipConsentPage({ request: await validRequest({ scope: `mcp:access:${slug}` }, known) }),
    ).toBe(true);
  });

  it("shows it when the consent is narrower than the request, or revoked", async () => {
    const { client: narrow } = await createTestAiClient();
    const consent = await getDb().consent.create({
      data: { userId, clientId: narrow.id, instanceId, scopes: [`mcp:access:${slug}`] },
    });
    expect(await maySkipConsentPage({ request: await validRequest({}, narrow) })).toBe(false);
    const perServer = await validRequest({ scope: `mcp:access:${slug}` }, narrow);
    expect(await maySkipConsentPage({ request: perServer })).toBe(true);
    await getDb().consent.update({ where: { id: consent.id }, data: { revokedAt: new Date() } });
    expect(await maySkipConsentPage({ request: perServer })).toBe(false);
  });

  it("shows it when the only `*` consent for the client is another user's", async () => {
    const { client: known } = await createTestAiClient();
    await getDb().consent.create({
      data: { userId: otherUserId, clientId: known.id, instanceId, scopes: ["mcp:access:*"] },
    });
    const request = await validRequest({}, known);
    expect(request.userId).toBe(userId);
    expect(await maySkipConsentPage({ request })).toBe(false);
    // Control: the same consent given by this user does let the page be skipped.
    await getDb().consent.create({
      data: { userId, clientId: known.id, instanceId, scopes: ["mcp:access:*"] },
    });
    expect(await maySkipConsentPage({ request })).toBe(true);
  });

  it("shows it when this user's `*` consent for the client is for another instance", async () => {
    const { client: known } = await createTestAiClient();
    const secondInstanceId = (await createTestInstance({ userId })).id;
    await getDb().consent.create({
      data: { userId, clientId: known.id, instanceId: secondInstanceId, scopes: ["mcp:access:*"] },
    });
    const request = await validRequest({}, known);
    expect(request.instance.id).toBe(instanceId);
    expect(await maySkipConsentPage({ request })).toBe(false);
    const onSecond = await validRequest({ resource: `http://localhost:3000/mcp/${secondInstanceId}` }, known);
    expect(await maySkipConsentPage({ request: onSecond })).toBe(true);
  });

  it("always shows it to a CIMD client redirecting to an app's private-use scheme", async () => {
    const appRedirect = "cursor://anysphere.cursor-retrieval/oauth/callback";
    const { client: app } = await createTestAiClient({ redirectUris: [appRedirect] });
    await getDb().consent.create({
      data: { userId, clientId: app.id, instanceId, scopes: ["mcp:access:*"] },
    });
    const request = await validRequest({ redirect_uri: appRedirect }, app);
    expect(await maySkipConsentPage({ request })).toBe(true);
    const cimd = { ...request.client, kind: "CIMD" as const };
    expect(await maySkipConsentPage({ request: { ...request, client: cimd } })).toBe(false);
  });

  it("always shows it to a CIMD client redirecting to loopback (impersonable by any local program)", async () => {
    const request = await validRequest();
    const cimd = { ...request.client, kind: "CIMD" as const };
    await getDb().consent.create({
      data: { userId, clientId: client.id, instanceId, scopes: ["mcp:access:*"] },
    });
    expect(await maySkipConsentPage({ request })).toBe(true);
    expect(await maySkipConsentPage({ request: { ...request, client: cimd } })).toBe(false);
    const https = await validRequest({ redirect_uri: HTTPS_REDIRECT });
    expect(await maySkipConsentPage({ request: { ...https, client: cimd } })).toBe(true);
  });
});
