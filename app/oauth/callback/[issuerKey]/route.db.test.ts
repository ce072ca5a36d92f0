import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { getAppUrl } from "@/server/auth/resource-urls";
import { discoverBackendAuth } from "@/server/backends/discover-backend-auth";
import { getBackendRedirectUri } from "@/server/backends/get-backend-redirect-uri";
import { registerBackendClient } from "@/server/backends/register-backend-client";
import { startBackendAuthorization } from "@/server/backends/start-backend-authorization";
import { getDb } from "@/server/db";
import { resetEnvCache } from "@/server/env";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { GET as getSharedCallback } from "../route";
import { GET } from "./route";

// GET /oauth/callback/<issuerKey> end to end: Tumiki registers at the demo backend by DCR (with the
// demo AS's own redirect URI), the auto-approving AS redirects to that path, and the route finishes the
// flow. A response for this flow delivered to the shared path or to another issuer's path is refused
// (the mix-up defence of RFC 9700 §4.4.2) and stores nothing.

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("@/server/next-auth", () => ({ auth: async () => session.current }));

const db = getDb();

let backend: TDemoBackend;
let serverId: string;
let userId: string;
let callbackUrl: string;

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, autoApproveAccount: "alice" });
  process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = new URL(backend.origin).host;
  resetEnvCache();
  const owner = await createTestUser();
  const server = await db.mcpServer.create({
    data: {
      name: "Demo notes",
      slug: `demo-${randomUUID()}`,
      url: backend.mcpUrl,
      authType: "OAUTH",
      ownerUserId: owner.id,
    },
  });
  serverId = server.id;
  userId = owner.id;
  const discovery = await discoverBackendAuth({ url: backend.mcpUrl });
  await registerBackendClient({ userId, mcpServerId: serverId, discovery });
  callbackUrl = getBackendRedirectUri({ issuer: backend.issuer, registrationType: "DCR" });
});

afterAll(async () => {
  await backend?.close();
});

beforeEach(async () => {
  session.current = { user: { id: userId } };
  await db.oAuthToken.deleteMany({ where: { connection: { userId } } });
});

/** Starts a flow and returns the callback URL the (auto-approving) backend redirects to. */
async function authorizeAtBackend(): Promise<URL> {
  const { authorizationUrl } = await startBackendAuthorization({ userId, mcpServerId: serverId });
  const response = await fetch(authorizationUrl, { redirect: "manual" });
  return new URL(response.headers.get("location") ?? "");
}

/** Calls the route as Next.js does, with the path's last segment as `issuerKey`. */
function callRoute(url: URL): Promise<Response> {
  const issuerKey = url.pathname.slice("/oauth/callback/".length);
  return GET(new Request(url), { params: Promise.resolve({ issuerKey }) });
}

describe("GET /oauth/callback/[issuerKey]", () => {
  it("connects the server through the demo AS's own redirect URI", async () => {
    const callback = await authorizeAtBackend();
    expect(`${callback.origin}${callback.pathname}`).toBe(callbackUrl);
    expect(callback.pathname).toMatch(/^\/oauth\/callback\/[A-Za-z0-9_-]{22}$/);

    const response = await callRoute(callback);

    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Connected to Demo notes. You can close this window.");
    const connection = await db.userMcpConfig.findUniqueOrThrow({
      where: { userId_mcpServerId: { userId, mcpServerId: serverId } },
      include: { tokens: true },
    });
    expect(connection.status).toBe("CONNECTED");
    expect(connection.tokens).toHaveLength(1);
  });

  it("refuses the response on another issuer's path or on the shared path, storing nothing", async () => {
    const otherIssuerPath = new URL(
      getBackendRedirectUri({ issuer: "https://honest.example.test", registrationType: "DCR" }),
    ).pathname;
    const responses: Response[] = [];
    for (const pathname of [otherIssuerPath, "/oauth/callback"]) {
      const callback = await authorizeAtBackend();
      const moved = new URL(`${pathname}${callback.search}`, getAppUrl(""));
      responses.push(
        pathname === "/oauth/callback" ? await getSharedCallback(new Request(moved)) : await callRoute(moved),
      );
    }

    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("for a different authorization server");
    }
    expect(await db.oAuthToken.count({ where: { connection: { userId } } })).toBe(0);
  });
});
