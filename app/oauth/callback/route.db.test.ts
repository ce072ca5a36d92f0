import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { getAppUrl } from "@/server/auth/resource-urls";
import { startBackendAuthorization } from "@/server/backends/start-backend-authorization";
import { getDb } from "@/server/db";
import { resetEnvCache } from "@/server/env";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { GET } from "./route";

// GET /oauth/callback end to end with the demo backend (auto-approving, so the authorization URL
// redirects straight to the callback): the page, its headers, and what it posts to the opener. The
// client here was registered with the shared callback, as CIMD clients and rows older than per-issuer
// redirect URIs are; [issuerKey]/route.db.test.ts covers the per-issuer path.

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("@/server/next-auth", () => ({ auth: async () => session.current }));

const db = getDb();
const CALLBACK_URL = getAppUrl("/oauth/callback");
const SERVER_NAME = "Demo <Notes>";

let backend: TDemoBackend;
let serverId: string;
let userId: string;

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, autoApproveAccount: "alice" });
  process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = new URL(backend.origin).host;
  resetEnvCache();
  const metadata = (await (await fetch(`${backend.issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
    registration_endpoint: string;
  };
  const registered = (await (
    await fetch(metadata.registration_endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        redirect_uris: [CALLBACK_URL],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "none",
        scope: "notes:read notes:write",
      }),
    })
  ).json()) as { client_id: string };
  const server = await db.mcpServer.create({
    data: { name: SERVER_NAME, slug: `demo-${randomUUID()}`, url: backend.mcpUrl, authType: "OAUTH" },
  });
  serverId = server.id;
  await db.oAuthClient.create({
    data: {
      mcpServerId: serverId,
      issuer: backend.issuer,
      registrationType: "DCR",
      clientId: registered.client_id,
      authorizationServerUrl: backend.issuer,
      tokenEndpoint: metadata.token_endpoint,
      authorizationEndpoint: metadata.authorization_endpoint,
      resourceIndicator: backend.mcpUrl,
      scopes: ["notes:read", "notes:write"],
      tokenEndpointAuthMethod: "none",
      redirectUris: [CALLBACK_URL],
    },
  });
});

afterAll(async () => {
  await backend?.close();
});

beforeEach(async () => {
  userId = (await createTestUser()).id;
  session.current = { user: { id: userId } };
  // The server is a catalog one (no owner): a user signs in to it after connecting it from the catalog.
  await db.userMcpConfig.create({ data: { userId, mcpServerId: serverId } });
});

/** Starts a flow and returns the callback URL the (auto-approving) backend redirects to. */
async function authorizeAtBackend(): Promise<string> {
  const { authorizationUrl } = await startBackendAuthorization({ userId, mcpServerId: serverId });
  const response = await fetch(authorizationUrl, { redirect: "manual" });
  const location = response.headers.get("location") ?? "";
  expect(location.startsWith(`${CALLBACK_URL}?`)).toBe(true);
  return location;
}

/** What the page's script posts to an opener (run against a stand-in window), and to which origin. */
function postedMessage(html: string): { data: unknown; targetOrigin: string } {
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
  const calls: { data: unknown; targetOrigin: string }[] = [];
  const window = {
    opener: { postMessage: (data: unknown, targetOrigin: string) => calls.push({ data, targetOrigin }) },
    close: () => {},
  };
  new Function("window", script)(window);
  expect(calls).toHaveLength(1);
  return calls[0] as { data: unknown; targetOrigin: string };
}

// Content-Security-Policy, X-Frame-Options and Referrer-Policy come from next.config.mjs (which wins over
// a route's headers), so the route sets none of them; the page's script policy is in its <meta> tag.
async function expectPage(response: Response): Promise<string> {
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("content-security-policy")).toBeNull();
  const html = await response.text();
  expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="[^"]*script-src &#39;sha256-/);
  expect(html).toContain('<meta name="referrer" content="no-referrer">');
  return html;
}

describe("GET /oauth/callback", () => {
  it("connects the server and tells the opener, on Tumiki's origin only", async () => {
    const response = await GET(new Request(await authorizeAtBackend()));
    expect(response.status).toBe(200);
    const html = await expectPage(response);
    expect(html).toContain("Connected to Demo &#60;Notes&#62;. You can close this window.");
    expect(postedMessage(html)).toEqual({
      targetOrigin: "http://localhost:3000",
      data: {
        source: "tumiki",
        type: "backend-authorization",
        ok: true,
        serverId,
        message: `Connected to ${SERVER_NAME}. You can close this window.`,
      },
    });
    const connection = await db.userMcpConfig.findUniqueOrThrow({
      where: { userId_mcpServerId: { userId, mcpServerId: serverId } },
      include: { tokens: true },
    });
    expect(connection.status).toBe("CONNECTED");
    expect(connection.tokens).toHaveLength(1);
  });

  it("answers a refused response with 400 and the reason, and stores nothing", async () => {
    const callback = new URL(await authorizeAtBackend());
    callback.searchParams.set("iss", "https://attacker.example.test");
    const response = await GET(new Request(callback));
    expect(response.status).toBe(400);
    const html = await expectPage(response);
    expect(html).toContain("<h1>Connection failed</h1>");
    const { data, targetOrigin } = postedMessage(html);
    expect(targetOrigin).toBe("http://localhost:3000");
    expect(data).toMatchObject({
      ok: false,
      serverId,
      message: expect.stringContaining("different authorization server"),
    });
    expect(await db.oAuthToken.count({ where: { connection: { userId } } })).toBe(0);
  });

  it("does not name the server for a state it cannot tie to the user", async () => {
    const response = await GET(new Request(`${CALLBACK_URL}?code=abc&state=unknown`));
    expect(response.status).toBe(400);
    const { data } = postedMessage(await response.text());
    expect(data).not.toHaveProperty("serverId");
  });

  it("asks a signed-out user to sign in and start again, without consuming the state", async () => {
    const callback = await authorizeAtBackend();
    session.current = null;
    const response = await GET(new Request(callback));
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await expectPage(response)).toContain(
      "You are not signed in to Tumiki. Sign in, then connect the server again.",
    );
    const state = await db.backendAuthorizationState.findFirstOrThrow({ where: { userId } });
    expect(state.consumedAt).toBeNull();
    expect(await db.oAuthToken.count({ where: { connection: { userId } } })).toBe(0);
  });
});
