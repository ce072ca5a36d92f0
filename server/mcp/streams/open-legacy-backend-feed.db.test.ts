import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { addDemoOAuthServer, allowBackendHosts, createProxyInstance } from "@/server/testing/proxy-fixtures";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import type { TBackendChannel } from "../backend-channel";
import { getInstanceBackends } from "../get-instance-backends";
import { openBackendSession } from "../open-backend-session";
import { openLegacyBackendFeed } from "./open-legacy-backend-feed";

// A backend's GET stream is (re)opened long after the call or stream that first reached the backend:
// the credential it opened with may be gone by then. Against the demo backend's real authorization
// server: a feed opened with a stale credential uses the current one, and a token the backend stopped
// accepting is refreshed once.

const account = `feed-${randomUUID()}`;
let backend: TDemoBackend;
let restoreHosts: () => void;

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, autoApproveAccount: account });
  restoreHosts = allowBackendHosts([new URL(backend.origin).host]);
});

afterAll(async () => {
  restoreHosts?.();
  await backend?.close();
});

describe("openLegacyBackendFeed", () => {
  it("opens with the current backend credential, not the one the channel was made with", async () => {
    const userId = (await createTestUser()).id;
    const server = await addDemoOAuthServer({ userId, backend });
    const instance = await createProxyInstance({ userId, connectionIds: [server.connectionId] });
    const [instanceBackend] = await getInstanceBackends({ instanceId: instance.id, userId });
    if (!instanceBackend) throw new Error("the instance has no backend");
    const target = { userId, sessionKey: `feed-${randomUUID()}`, backend: instanceBackend, capabilities: {} };
    const session = await openBackendSession({ target });
    expect(session.sessionId).toBeTruthy();

    // The token Tumiki holds stops working; its refresh token still does.
    await backend.expireAccessTokensOf(account);
    const refreshesBefore = backend.stats.tokenRequests.refresh_token ?? 0;
    const channel: TBackendChannel = {
      era: "legacy",
      target,
      session,
      authHeaders: { authorization: "Bearer a-credential-from-an-hour-ago" },
    };
    const stop = new AbortController();
    try {
      const feed = await openLegacyBackendFeed({ channel, signal: stop.signal });
      expect(feed).not.toBeNull();
      expect(backend.stats.tokenRequests.refresh_token ?? 0).toBe(refreshesBefore + 1);
    } finally {
      stop.abort();
    }
  });
});
