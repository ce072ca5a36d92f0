import { randomInt, randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setTestEnv } from "../testing/proxy-fixtures";
import { startRecordingMcpBackend, type TRecordingBackend } from "../testing/recording-mcp-backend";
import {
  startModernBackend,
  type TModernBackend,
  type TModernBackendLegacy,
} from "../testing/start-modern-backend";
import { readBackendEra, recordBackendEra } from "./backend-era-store";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { createMcpSession } from "./create-mcp-session";
import type { TInstanceBackend } from "./get-instance-backends";
import type { TMcpClient } from "./mcp-request-context";
import { resolveBackendChannel } from "./resolve-backend-channel";
import { resolveBackendTarget } from "./resolve-backend-target";

// Which era Tumiki speaks to a backend, against real servers of each kind: the client's own era when
// the backend speaks it with what that era needs (a 2025 client needs a session, for a backend's
// requests mid-call), else the backend's. What was learned is kept per URL and used without probing
// again; a backend restarted as another era on the same URL is learned anew.

const CAPABILITIES = { elicitation: {}, sampling: {}, roots: {} };

let recording: TRecordingBackend;
const modern = new Map<TModernBackendLegacy, TModernBackend>();
let restoreHosts: () => void;

const backendAt = (url: string): TInstanceBackend => ({
  mcpServerId: `server-${randomUUID()}`,
  slug: "backend",
  name: "Backend",
  url,
  authType: "NONE",
  apiKeyHeaderName: null,
  apiKey: null,
  toolControls: {
    selection: "ALL",
    includeNewTools: true,
    pinToolDefinitions: true,
    confirmDestructiveTools: false,
    toolsListedBefore: false,
  },
});

async function legacyClient(userId: string): Promise<TMcpClient> {
  const { handle } = await createMcpSession({
    userId,
    instanceId: randomUUID(),
    protocolVersion: "2025-11-25",
    clientCapabilities: CAPABILITIES,
    logLevel: null,
  });
  return { era: "legacy", handle, capabilities: CAPABILITIES, logLevel: null };
}

const modernClient = (principal = "instance-1\noauth:client-1", capabilities = CAPABILITIES): TMcpClient => ({
  era: "modern",
  envelope: { protocolVersion: "2026-07-28", capabilities, clientInfo: null, logLevel: null },
  principal,
  capabilities,
  logLevel: null,
});

/** The JSON-RPC methods a modern fixture received since it was last cleared. */
const methodsSeen = (backend: TModernBackend) => backend.requests().map((request) => request.rpcMethod);

beforeAll(async () => {
  recording = await startRecordingMcpBackend({ name: "recording" });
  for (const legacy of ["serve", "reject", "sessions"] as const) {
    modern.set(legacy, await startModernBackend({ legacy, name: `modern-${legacy}` }));
  }
  restoreHosts = setTestEnv({
    OUTBOUND_ALLOWED_PRIVATE_HOSTS: [recording.hostPort, ...[...modern.values()].map((b) => b.hostPort)].join(
      ",",
    ),
  });
});

afterAll(async () => {
  restoreHosts?.();
  await recording?.close();
  await Promise.all([...modern.values()].map((backend) => backend.close()));
});

beforeEach(() => {
  for (const backend of modern.values()) backend.clear();
});

const fixture = (legacy: TModernBackendLegacy) => {
  const backend = modern.get(legacy);
  if (!backend) throw new Error(`no ${legacy} fixture`);
  return backend;
};

describe("for a 2025 client", () => {
  it("keeps 2025 with a backend that has sessions, without probing 2026", async () => {
    const backend = fixture("sessions");
    const channel = await resolveBackendChannel({
      userId: "u1",
      client: await legacyClient("u1"),
      backend: backendAt(backend.mcpUrl),
    });
    expect(channel.era).toBe("legacy");
    expect(channel.era === "legacy" && channel.session.sessionId).toBeTruthy();
    expect(methodsSeen(backend)).toEqual(["initialize", "notifications/initialized"]);
    expect(await readBackendEra(backend.mcpUrl)).toEqual({ modern: null, legacy: "sessions" });
  });

  it("speaks 2026 to a dual-era backend whose 2025 side is stateless (it could not take answers)", async () => {
    const backend = fixture("serve");
    const channel = await resolveBackendChannel({
      userId: "u1",
      client: await legacyClient("u1"),
      backend: backendAt(backend.mcpUrl),
    });
    expect(channel.era).toBe("modern");
    expect(await readBackendEra(backend.mcpUrl)).toEqual({ modern: true, legacy: "stateless" });
    backend.clear();
    // Known now: the next session resolves without asking the backend anything.
    const again = await resolveBackendChannel({
      userId: "u1",
      client: await legacyClient("u1"),
      backend: backendAt(backend.mcpUrl),
    });
    expect(again.era).toBe("modern");
    expect(methodsSeen(backend)).toEqual([]);
  });

  it("speaks 2026 to a backend that refuses initialize, confirmed by server/discover", async () => {
    const backend = fixture("reject");
    const channel = await resolveBackendChannel({
      userId: "u1",
      client: await legacyClient("u1"),
      backend: backendAt(backend.mcpUrl),
    });
    expect(channel.era).toBe("modern");
    expect(methodsSeen(backend)).toEqual(["initialize", "server/discover"]);
    expect(await readBackendEra(backend.mcpUrl)).toEqual({ modern: true, legacy: "refused" });
  });
});

describe("for a 2026-07-28 client", () => {
  it("speaks 2026 to a backend that answers server/discover, and opens no session", async () => {
    const backend = fixture("sessions");
    await resolveBackendChannel({
      userId: "u2",
      client: await legacyClient("u2"),
      backend: backendAt(backend.mcpUrl),
    });
    backend.clear();
    const channel = await resolveBackendChannel({
      userId: "u2",
      client: modernClient(),
      backend: backendAt(backend.mcpUrl),
    });
    expect(channel.era).toBe("modern");
    expect(methodsSeen(backend)).toEqual(["server/discover"]);
  });

  it("speaks 2025 to a 2025-only backend, in a session shared by the user's requests, probing once", async () => {
    const url = recording.mcpUrl;
    const first = await resolveBackendChannel({
      userId: "u3",
      client: modernClient(),
      backend: backendAt(url),
    });
    expect(first.era).toBe("legacy");
    expect(await readBackendEra(url)).toEqual({ modern: false, legacy: null });
    const posts = recording.requests.length;
    const backend = { ...backendAt(url), mcpServerId: first.target.backend.mcpServerId };
    const second = await resolveBackendChannel({ userId: "u3", client: modernClient(), backend });
    expect(second.era === "legacy" && first.era === "legacy" && second.session.sessionId).toBe(
      first.era === "legacy" ? first.session.sessionId : "",
    );
    // Neither a new probe nor a new session: the shared session was found in Redis.
    expect(recording.requests.length).toBe(posts);
    // Another user's requests never share it.
    const other = await resolveBackendChannel({ userId: "u4", client: modernClient(), backend });
    expect(other.target.sessionKey).not.toBe(second.target.sessionKey);
  });

  it("shares a 2025 backend session only within one instance and credential's client", async () => {
    const backend = backendAt(recording.mcpUrl);
    const keyOf = (principal: string, capabilities = CAPABILITIES) =>
      resolveBackendTarget({ userId: "u6", client: modernClient(principal, capabilities), backend })
        .sessionKey;
    const base = keyOf("instance-1\noauth:client-1");
    // The same declaration written in another key order is the same principal's session.
    expect(keyOf("instance-1\noauth:client-1", { roots: {}, sampling: {}, elicitation: {} })).toBe(base);
    expect(keyOf("instance-1\noauth:client-2")).not.toBe(base);
    expect(keyOf("instance-2\noauth:client-1")).not.toBe(base);
    expect(keyOf("instance-1\napi_key:key-1")).not.toBe(base);
    expect(keyOf("instance-1\noauth:client-1", { ...CAPABILITIES, sampling: { tools: {} } })).not.toBe(base);
  });
});

describe("stale or undecided era verdicts", () => {
  it("a backend known as not 2026 that refuses initialize is probed again and spoken to in 2026", async () => {
    const backend = fixture("reject");
    await recordBackendEra({ url: backend.mcpUrl, learned: { modern: false, legacy: null } });
    const channel = await resolveBackendChannel({
      userId: "u7",
      client: modernClient(),
      backend: backendAt(backend.mcpUrl),
    });
    expect(channel.era).toBe("modern");
    expect(methodsSeen(backend)).toEqual(["initialize", "server/discover"]);
    expect(await readBackendEra(backend.mcpUrl)).toEqual({ modern: true, legacy: "refused" });
  });

  it("a verdict that a backend refuses both eras is not believed: it is learned again", async () => {
    const backend = fixture("sessions");
    await recordBackendEra({ url: backend.mcpUrl, learned: { modern: false, legacy: "refused" } });
    const channel = await resolveBackendChannel({
      userId: "u8",
      client: await legacyClient("u8"),
      backend: backendAt(backend.mcpUrl),
    });
    expect(channel.era).toBe("legacy");
    expect(await readBackendEra(backend.mcpUrl)).toEqual({ modern: null, legacy: "sessions" });
  });

  it("a rate-limited, timed-out or cut-short probe leaves no verdict, and the request fails as unavailable", async () => {
    const answers: ((response: ServerResponse) => void)[] = [429, 408, 503].map(
      (status) => (response) => response.writeHead(status, { "content-type": "text/plain" }).end("busy"),
    );
    // A stream that ends before the answer: nothing was said about the era.
    answers.push((response) => response.writeHead(200, { "content-type": "text/event-stream" }).end());
    for (const answer of answers) {
      const server = createServer((_request, response) => answer(response));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      const restore = setTestEnv({
        OUTBOUND_ALLOWED_PRIVATE_HOSTS: `${process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS},127.0.0.1:${port}`,
      });
      const url = `http://127.0.0.1:${port}/mcp`;
      try {
        await expect(
          resolveBackendChannel({ userId: "u9", client: modernClient(), backend: backendAt(url) }),
        ).rejects.toBeInstanceOf(BackendUnavailableError);
        expect(await readBackendEra(url)).toEqual({ modern: null, legacy: null });
      } finally {
        restore();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });
});

describe("a backend restarted as another era on the same URL", () => {
  it("is learned anew once a request finds the old verdict wrong", async () => {
    const port = randomInt(4100, 5000);
    let backend = await startModernBackend({ legacy: "sessions", name: "restarted", port });
    const restore = setTestEnv({
      OUTBOUND_ALLOWED_PRIVATE_HOSTS: `${process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS},${backend.hostPort}`,
    });
    try {
      const target = backendAt(backend.mcpUrl);
      const before = await resolveBackendChannel({
        userId: "u5",
        client: await legacyClient("u5"),
        backend: target,
      });
      expect(before.era).toBe("legacy");
      await backend.close();
      backend = await startModernBackend({ legacy: "reject", name: "restarted", port });
      // A new 2025 session: the stored verdict ("sessions") is tried, refused, forgotten, and learned again.
      const after = await resolveBackendChannel({
        userId: "u5",
        client: await legacyClient("u5"),
        backend: target,
      });
      expect(after.era).toBe("modern");
      expect(await readBackendEra(backend.mcpUrl)).toEqual({ modern: true, legacy: "refused" });
    } finally {
      restore();
      await backend.close();
    }
  });
});
