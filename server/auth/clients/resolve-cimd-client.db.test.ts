import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { flushAuditEvents } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { resetEnvCache } from "../../env";
import { RateLimitError } from "../../errors";
import { assertRateLimit } from "../../rate-limit/assert-rate-limit";
import { RATE_LIMIT_POLICIES } from "../../rate-limit/rate-limit-policies";
import { waitForFreshWindow } from "../../testing/wait-for-fresh-window";
import { InvalidClientError } from "../oauth-errors";
import { resolveAiClient } from "./resolve-ai-client";
import { resolveCimdClient } from "./resolve-cimd-client";

// A real metadata-document server on loopback, reachable only because its host:port is on the
// development allowlist (OUTBOUND_ALLOWED_PRIVATE_HOSTS), exactly as in development.

type Reply = { status?: number; headers?: Record<string, string>; body: string };
const replies = new Map<string, Reply>();
const hits = new Map<string, number>();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const reply = replies.get(path);
    if (!reply) return res.writeHead(404).end();
    res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const allowlist = () => {
  vi.stubEnv("OUTBOUND_ALLOWED_PRIVATE_HOSTS", new URL(base).host);
  resetEnvCache();
};

beforeEach(allowlist);

// Failed fetches are remembered in Redis, which outlives a run: paths are unique to this run.
const run = randomBytes(4).toString("hex");
let counter = 0;
/** Serves a document at a fresh path; `overrides` replace fields of a valid document. */
function serveDocument(overrides: Record<string, unknown> = {}, reply: Omit<Reply, "body"> = {}) {
  counter += 1;
  const path = `/clients/${run}-${counter}/client.json`;
  const clientId = `${base}${path}`;
  const document = {
    client_id: clientId,
    client_name: "Example MCP Client",
    client_uri: "https://app.example.com",
    redirect_uris: ["http://127.0.0.1:3000/callback", "http://localhost:3000/callback"],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    ...overrides,
  };
  replies.set(path, { ...reply, body: JSON.stringify(document) });
  return { clientId, path };
}

// A fresh user per call keeps every test within its own cimdFetch budget (counted per user).
const freshUserId = () => `user-${randomBytes(6).toString("hex")}`;
const SHARED_IP = "unknown";

/** Resolves as /oauth/authorize does for a signed-in user: a new client may be registered. */
const register = (clientId: string, userId = freshUserId()) =>
  resolveCimdClient({ clientId, mayRegister: true, userId, ip: SHARED_IP });

async function refusal(promise: Promise<unknown>): Promise<InvalidClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidClientError);
  return error as InvalidClientError;
}

const ageRow = (clientId: string, ms: number) =>
  getDb().aiClient.update({ where: { clientId }, data: { metadataFetchedAt: new Date(Date.now() - ms) } });

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe("resolveCimdClient", () => {
  it("fetches a valid document, stores a CIMD client and audits its registration", async () => {
    const { clientId } = serveDocument();

    const userId = freshUserId();
    const client = await register(clientId, userId);

    expect(client).toMatchObject({
      clientId,
      kind: "CIMD",
      name: "Example MCP Client",
      clientUri: "https://app.example.com",
      redirectUris: ["http://127.0.0.1:3000/callback", "http://localhost:3000/callback"],
      grantTypes: ["authorization_code", "refresh_token"],
      tokenEndpointAuthMethod: "none",
      clientSecretHash: null,
    });
    expect(client?.metadataFetchedAt).toBeInstanceOf(Date);
    await flushAuditEvents();
    const audit = await getDb().auditLog.findFirstOrThrow({ where: { clientId: client?.id ?? "missing" } });
    expect(audit).toMatchObject({
      eventType: "oauth.client_registered",
      outcome: "SUCCESS",
      actorUserId: userId,
    });
    expect(audit.detail).toMatchObject({ kind: "CIMD" });
  });

  it("keeps a declared application_type, VS Code's native with claimed https included, else a default", async () => {
    const vscode = serveDocument({
      application_type: "native",
      redirect_uris: ["http://127.0.0.1:33418/", "https://vscode.dev/redirect"],
    });
    const plain = serveDocument();
    const app = serveDocument({ redirect_uris: ["com.example.app:/callback"] });
    const typeOf = async (clientId: string) =>
      ((await register(clientId))?.metadata as { document: { application_type?: string } }).document
        .application_type;
    expect(await typeOf(vscode.clientId)).toBe("native");
    expect(await typeOf(plain.clientId)).toBe("web");
    expect(await typeOf(app.clientId)).toBe("native");
  });

  it("takes a document without token_endpoint_auth_method as a public client", async () => {
    const { clientId } = serveDocument({ token_endpoint_auth_method: undefined });
    expect((await register(clientId))?.tokenEndpointAuthMethod).toBe("none");
  });

  it("does not fetch again within the document's max-age, and fetches once it has passed", async () => {
    const { clientId, path } = serveDocument({}, { headers: { "cache-control": "public, max-age=600" } });

    await register(clientId);
    await register(clientId);
    await ageRow(clientId, 9 * MINUTE);
    await register(clientId);
    expect(hits.get(path)).toBe(1);

    await ageRow(clientId, 11 * MINUTE);
    await register(clientId);
    expect(hits.get(path)).toBe(2);
  });

  it("keeps a document at least 5 minutes even when max-age says less", async () => {
    const { clientId, path } = serveDocument({}, { headers: { "cache-control": "max-age=0, no-cache" } });
    await register(clientId);
    await ageRow(clientId, 4 * MINUTE);
    await register(clientId);
    expect(hits.get(path)).toBe(1);
  });

  it("caches for 1 hour without Cache-Control, and at most 24 hours whatever max-age says", async () => {
    const plain = serveDocument();
    await register(plain.clientId);
    await ageRow(plain.clientId, 59 * MINUTE);
    await register(plain.clientId);
    expect(hits.get(plain.path)).toBe(1);
    await ageRow(plain.clientId, 61 * MINUTE);
    await register(plain.clientId);
    expect(hits.get(plain.path)).toBe(2);

    const long = serveDocument({}, { headers: { "cache-control": "max-age=31536000" } });
    await register(long.clientId);
    await ageRow(long.clientId, 25 * HOUR);
    await register(long.clientId);
    expect(hits.get(long.path)).toBe(2);
  });

  it("picks up a changed document on re-fetch", async () => {
    const { clientId, path } = serveDocument();
    await register(clientId);
    const changed = { ...JSON.parse(replies.get(path)?.body ?? "{}"), client_name: "Renamed" };
    replies.set(path, { body: JSON.stringify(changed) });
    await ageRow(clientId, 2 * HOUR);
    expect((await register(clientId))?.name).toBe("Renamed");
  });

  it("serves the stored copy when a re-fetch fails within 24 hours, and refuses after", async () => {
    const { clientId, path } = serveDocument();
    await register(clientId);
    replies.set(path, { status: 500, body: "oops" });

    await ageRow(clientId, 2 * HOUR);
    expect((await register(clientId))?.name).toBe("Example MCP Client");
    expect(hits.get(path)).toBe(2);

    await ageRow(clientId, 25 * HOUR);
    const error = await refusal(register(clientId));
    expect(error.description).toMatch(/could not be fetched: the server answered HTTP 500/);
  });

  it("returns null for a disabled client without fetching", async () => {
    const { clientId, path } = serveDocument();
    await register(clientId);
    await getDb().aiClient.update({ where: { clientId }, data: { disabledAt: new Date() } });
    await ageRow(clientId, 2 * HOUR);
    expect(await register(clientId)).toBeNull();
    expect(hits.get(path)).toBe(1);
  });
});

describe("resolveCimdClient refuses unusable documents", () => {
  it.each([
    ["a different client_id", { client_id: "https://other.example.com/client.json" }, /different client_id/],
    ["no client_id", { client_id: undefined }, /different client_id/],
    ["no client_name", { client_name: undefined }, /client_name/],
    ["client_secret_basic", { token_endpoint_auth_method: "client_secret_basic" }, /method none/],
    ["client_secret_post", { token_endpoint_auth_method: "client_secret_post" }, /method none/],
    ["private_key_jwt", { token_endpoint_auth_method: "private_key_jwt" }, /not valid/],
    ["a client_secret", { client_secret: "shh" }, /client secret/],
    ["a javascript: redirect URI", { redirect_uris: ["javascript:alert(1)"] }, /invalid redirect URI/],
    ["an http redirect URI", { redirect_uris: ["http://evil.example/cb"] }, /invalid redirect URI/],
    ["no redirect URIs", { redirect_uris: [] }, /redirect_uris/],
    [
      "a web application_type and a private-use scheme",
      { application_type: "web", redirect_uris: ["com.example.app:/callback"] },
      /invalid redirect URI: A web application .*application_type "native"/,
    ],
    ["an unknown application_type", { application_type: "desktop" }, /not valid: application_type/],
  ])("refuses a document with %s, storing nothing", async (_name, overrides, description) => {
    const { clientId } = serveDocument(overrides);
    const error = await refusal(register(clientId));
    expect(error.description).toMatch(description);
    expect(await getDb().aiClient.findUnique({ where: { clientId } })).toBeNull();
  });

  it("refuses a document larger than 10 KB", async () => {
    const { clientId } = serveDocument({ padding: "x".repeat(11 * 1024) });
    expect((await refusal(register(clientId))).description).toMatch(/larger than 10 KB/);
  });

  it("refuses a redirect, even to a valid document", async () => {
    const target = serveDocument();
    const path = `/clients/${run}-redirecting/client.json`;
    replies.set(path, { status: 302, headers: { location: target.path }, body: "" });
    const error = await refusal(register(`${base}${path}`));
    expect(error.description).toMatch(/redirect/);
    expect(hits.get(target.path)).toBeUndefined();
  });

  it("refuses what is not JSON, or not an object", async () => {
    replies.set(`/clients/${run}-html/client.json`, { body: "<html></html>" });
    replies.set(`/clients/${run}-array/client.json`, { body: "[]" });
    expect((await refusal(register(`${base}/clients/${run}-html/client.json`))).description).toMatch(
      /not valid JSON/,
    );
    expect((await refusal(register(`${base}/clients/${run}-array/client.json`))).description).toMatch(
      /not a JSON object/,
    );
  });

  it("refuses plain http, and other ports than 443, once the host is off the allowlist", async () => {
    const { clientId } = serveDocument();
    vi.stubEnv("OUTBOUND_ALLOWED_PRIVATE_HOSTS", "");
    resetEnvCache();
    expect((await refusal(register(clientId))).description).toMatch(/https/);
    const viaName = `https://localhost:${new URL(base).port}/clients/1/client.json`;
    expect((await refusal(register(viaName))).description).toMatch(/default https port/);
  });

  it("does not tell what the network answered, only that the document could not be fetched", async () => {
    // A closed port on an allowlisted host: the log keeps the reason, the client sees none of it.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    vi.stubEnv("OUTBOUND_ALLOWED_PRIVATE_HOSTS", host);
    resetEnvCache();
    const error = await refusal(register(`http://${host}/clients/${run}/client.json`));
    expect(error.description).toBe("The client metadata document could not be fetched.");
    expect(error.reason).toBe("cimd_fetch_network_error");
  });
});

describe("resolveCimdClient refuses unsafe client_id URLs", () => {
  // Other spellings of an address fail the canonical-form (or https) check before any address check.
  it.each([
    ["decimal loopback", "https://2130706433/client.json", /canonical/],
    ["octal loopback", "https://0177.0.0.1/client.json", /canonical/],
    ["hex loopback", "https://0x7f.1/client.json", /canonical/],
    ["IPv4-mapped loopback in dotted form", "https://[::ffff:127.0.0.1]/client.json", /canonical/],
    ["decimal loopback over http", "http://2130706433/client.json", /https/],
  ])("refuses %s by its form: %s", async (_name, clientId, description) => {
    expect((await refusal(register(clientId))).description).toMatch(description);
    expect(await getDb().aiClient.findUnique({ where: { clientId } })).toBeNull();
  });

  // Canonical spellings of private addresses reach the fetch, whose address check refuses them; the
  // client sees only "could not be fetched" (the reason stays in logs).
  it.each([
    ["IPv4 loopback", "https://127.0.0.1/client.json"],
    ["cloud metadata", "https://169.254.169.254/latest/meta-data"],
    ["private 10/8", "https://10.0.0.5/client.json"],
    ["private 192.168/16", "https://192.168.1.1/client.json"],
    ["IPv6 loopback", "https://[::1]/client.json"],
    ["IPv6 unique-local", "https://[fd00::1]/x.json"],
    ["IPv6 link-local", "https://[fe80::1]/client.json"],
    ["IPv4-mapped loopback", "https://[::ffff:7f00:1]/client.json"],
  ])("refuses %s by its address: %s", async (_name, clientId) => {
    const error = await refusal(register(clientId));
    expect(error.description).toBe("The client metadata document could not be fetched.");
    expect(error.reason).toBe("cimd_fetch_private_address");
    expect(await getDb().aiClient.findUnique({ where: { clientId } })).toBeNull();
  });

  it.each([
    ["plain http", "http://app.example.com/client.json", /must use https/],
    ["no path", "https://app.example.com/", /must have a path/],
    ["a fragment", "https://app.example.com/client.json#x", /fragment/],
    ["user info", "https://user:pw@app.example.com/client.json", /user name or password/],
    ["dot segments", "https://app.example.com/a/../client.json", /canonical/],
    ["an upper-case host", "https://APP.example.com/client.json", /canonical/],
    ["an explicit default port", "https://app.example.com:443/client.json", /canonical/],
    ["another port", "https://app.example.com:8443/client.json", /default https port/],
    ["no trailing slash on a bare host", "https://app.example.com", /canonical|path/],
    ["not a URL", "https://", /not a valid URL/],
  ])("refuses a client_id with %s before any fetch", async (_name, clientId, description) => {
    expect((await refusal(register(clientId))).description).toMatch(description);
  });

  it("refuses a client_id on Tumiki's own host", async () => {
    vi.stubEnv("APP_URL", "https://tumiki.example.test");
    resetEnvCache();
    const error = await refusal(register("https://tumiki.example.test/api/client.json"));
    vi.unstubAllEnvs();
    allowlist();
    expect(error.description).toMatch(/Tumiki's own host/);
  });

  it("refuses a host name ending in a dot (Tumiki's own host in disguise), before any fetch", async () => {
    vi.stubEnv("APP_URL", "https://tumiki.example.test");
    resetEnvCache();
    const own = await refusal(register("https://tumiki.example.test./api/client.json"));
    vi.unstubAllEnvs();
    allowlist();
    expect(own.description).toMatch(/must not end with a dot/);
    const other = await refusal(register("https://app.example.com./client.json"));
    expect(other.description).toMatch(/must not end with a dot/);
  });
});

describe("resolveCimdClient bounds what a stranger's client_id costs", () => {
  it("without mayRegister, an unstored CIMD client_id is unknown and nothing is fetched", async () => {
    const { clientId, path } = serveDocument();
    expect(await resolveCimdClient({ clientId })).toBeNull();
    expect(await resolveAiClient({ clientId })).toBeNull();
    expect(hits.get(path)).toBeUndefined();
    expect(await getDb().aiClient.findUnique({ where: { clientId } })).toBeNull();
  });

  it("without mayRegister, still refreshes a stored client whose copy is stale", async () => {
    const { clientId, path } = serveDocument();
    await register(clientId);
    await ageRow(clientId, 2 * HOUR);
    expect(await resolveAiClient({ clientId })).toMatchObject({ clientId, kind: "CIMD" });
    expect(hits.get(path)).toBe(2);
  });

  it("remembers a failed fetch for 5 minutes instead of fetching on every request", async () => {
    const { clientId, path } = serveDocument({}, { status: 500 });
    for (let i = 0; i < 3; i += 1) {
      expect((await refusal(register(clientId))).description).toMatch(/HTTP 500/);
    }
    expect(hits.get(path)).toBe(1);
  });

  it("serves a stale copy without re-fetching while its refresh failure is remembered", async () => {
    const { clientId, path } = serveDocument();
    await register(clientId);
    replies.set(path, { status: 503, body: "" });
    await ageRow(clientId, 2 * HOUR);
    for (let i = 0; i < 3; i += 1) {
      expect((await resolveAiClient({ clientId }))?.name).toBe("Example MCP Client");
    }
    expect(hits.get(path)).toBe(2);
  });

  it("counts first fetches per user (cimdFetch) and refuses the one past the budget", async () => {
    await waitForFreshWindow(RATE_LIMIT_POLICIES.cimdFetch);
    const userId = freshUserId();
    const first = serveDocument();
    await register(first.clientId, userId);
    for (let i = 1; i < RATE_LIMIT_POLICIES.cimdFetch.attempts; i += 1) {
      await register(serveDocument().clientId, userId);
    }

    const extra = serveDocument();
    const error = await register(extra.clientId, userId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(hits.get(extra.path)).toBeUndefined();
    expect(await getDb().aiClient.findUnique({ where: { clientId: extra.clientId } })).toBeNull();

    // Refreshing a stored client is not counted: the same user still gets it.
    await ageRow(first.clientId, 2 * HOUR);
    expect(await register(first.clientId, userId)).toMatchObject({ clientId: first.clientId });
    expect(hits.get(first.path)).toBe(2);
    // Another user behind the same address is unaffected: the budget is not the address's.
    expect(await register(extra.clientId)).toMatchObject({ clientId: extra.clientId });
  });

  it("does not count against the address: a spent address budget does not block a user", async () => {
    await waitForFreshWindow(RATE_LIMIT_POLICIES.cimdFetch);
    for (let i = 0; i < RATE_LIMIT_POLICIES.cimdFetch.attempts; i += 1) {
      await assertRateLimit("cimdFetch", SHARED_IP);
    }
    const { clientId } = serveDocument();
    expect(await register(clientId)).toMatchObject({ clientId, kind: "CIMD" });
  });
});

describe("resolveAiClient", () => {
  it("resolves an https-URL client_id through its metadata document", async () => {
    const { clientId } = serveDocument();
    expect(
      await resolveAiClient({ clientId, mayRegister: true, userId: freshUserId(), ip: SHARED_IP }),
    ).toMatchObject({
      clientId,
      kind: "CIMD",
    });
  });

  it("surfaces a CIMD failure as InvalidClientError naming the problem", async () => {
    const { clientId } = serveDocument({ client_id: "https://other.example.com/client.json" });
    const error = await refusal(
      resolveAiClient({ clientId, mayRegister: true, userId: freshUserId(), ip: SHARED_IP }),
    );
    expect(error.description).toMatch(/^The client metadata document names a different client_id/);
  });

  it("looks other client_ids up in the database, and treats a disabled one as unknown", async () => {
    const row = await getDb().aiClient.create({
      data: { clientId: "registered-client-id", kind: "DYNAMIC", redirectUris: ["https://a.example/cb"] },
    });
    expect((await resolveAiClient({ clientId: "registered-client-id" }))?.id).toBe(row.id);
    expect(await resolveAiClient({ clientId: "unknown-client-id" })).toBeNull();
    await getDb().aiClient.update({ where: { id: row.id }, data: { disabledAt: new Date() } });
    expect(await resolveAiClient({ clientId: "registered-client-id" })).toBeNull();
  });
});
