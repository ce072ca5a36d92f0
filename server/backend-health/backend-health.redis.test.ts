import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEnv } from "../env";
import type { RedisStore } from "../redis";
import { createIoredisStore } from "../redis/create-ioredis-store";
import { createUpstashStore } from "../redis/create-upstash-store";
import { allowBackendHosts, setTestEnv } from "../testing/proxy-fixtures";
import { startRecordingMcpBackend, type TRecordingBackend } from "../testing/recording-mcp-backend";
import { startUpstashStandin, type UpstashStandin } from "../testing/upstash-rest-standin";
import type { TBackendRef } from "./backend-health-schemas";
import { isBackendDown } from "./is-backend-down";
import { readBackendHealth } from "./read-backend-health";
import { recordBackendOutcome } from "./record-backend-outcome";

// Health shared through a real Redis by two "processes": a store over TCP (REDIS_URL) and one over the
// Upstash REST protocol (its stand-in, on the same Redis), as a self-hosted process and a Vercel
// function would reach it. What one records, the other decides on; a down server's probe is run by one
// of them at a time; and without Redis, requests go through and health reads "unknown".

const redisUrl = getEnv().REDIS_URL;
if (!redisUrl) throw new Error("*.redis.test.ts needs REDIS_URL (e.g. redis://127.0.0.1:6379)");

const token = randomBytes(16).toString("hex");
let standin: UpstashStandin;
let tcp: RedisStore;
let rest: RedisStore;
let backend: TRecordingBackend;
const undo: (() => void)[] = [];

const serverFor = (url: string): TBackendRef => ({
  mcpServerId: `test-${randomUUID()}`,
  slug: "health-test",
  url,
});

const UNREACHABLE = { kind: "unreachable" } as const;

beforeAll(async () => {
  standin = await startUpstashStandin({ redisUrl, token });
  tcp = createIoredisStore({ url: redisUrl });
  rest = createUpstashStore({ url: standin.url, token });
  backend = await startRecordingMcpBackend({ name: "probed" });
  undo.push(
    allowBackendHosts([backend.hostPort]),
    setTestEnv({ BACKEND_DOWN_AFTER_FAILURES: "3", BACKEND_RETRY_AFTER_SECONDS: "0.05" }),
  );
});

afterAll(async () => {
  for (const restore of undo.reverse()) restore();
  await Promise.allSettled([tcp?.close(), rest?.close(), backend?.close()]);
  await standin?.close();
});

describe("backend health across processes", () => {
  it("is down for one process after another recorded the failures, and healthy again after its success", async () => {
    const restore = setTestEnv({ BACKEND_RETRY_AFTER_SECONDS: "600" });
    try {
      const server = serverFor("http://localhost:9/mcp");
      expect(await readBackendHealth({ mcpServerIds: [server.mcpServerId], store: rest })).toEqual({
        [server.mcpServerId]: { state: "unknown" },
      });
      await recordBackendOutcome({ backend: server, failure: UNREACHABLE, store: tcp });
      await recordBackendOutcome({ backend: server, failure: { kind: "timeout" }, store: tcp });
      expect(
        (await readBackendHealth({ mcpServerIds: [server.mcpServerId], store: rest }))[server.mcpServerId],
      ).toMatchObject({ state: "degraded", lastErrorCode: "timeout" });
      expect(await isBackendDown({ backend: server, store: rest })).toBe(false);

      await recordBackendOutcome({
        backend: server,
        failure: { kind: "http_error", status: 502 },
        store: tcp,
      });
      expect(await isBackendDown({ backend: server, store: rest })).toBe(true);
      const down = (await readBackendHealth({ mcpServerIds: [server.mcpServerId], store: rest }))[
        server.mcpServerId
      ];
      expect(down).toMatchObject({
        state: "down",
        lastError: "Answered HTTP 502",
        lastErrorCode: "http_502",
      });
      expect(Date.parse(down?.retryAt ?? "")).toBeGreaterThan(Date.now() + 500_000);

      await recordBackendOutcome({ backend: server, failure: null, store: rest });
      expect(await isBackendDown({ backend: server, store: tcp })).toBe(false);
      expect(
        (await readBackendHealth({ mcpServerIds: [server.mcpServerId], store: tcp }))[server.mcpServerId],
      ).toMatchObject({ state: "healthy", lastErrorCode: "http_502" });
    } finally {
      restore();
    }
  });

  it("lets one process probe a down server at a time; the others skip it meanwhile", async () => {
    const restore = setTestEnv({ MCP_BACKEND_TIMEOUT_MS: "1000" });
    try {
      const server = serverFor(backend.mcpUrl);
      for (let i = 0; i < 3; i += 1)
        await recordBackendOutcome({ backend: server, failure: UNREACHABLE, store: tcp });
      // The retry (0.05 s) is due; the probe will hang until its own timeout (1 s), holding the lock.
      await sleep(100);
      backend.setBehavior("hang");
      const pingsBefore = backend.requests.filter((request) => request.rpcMethod === "ping").length;
      const decisions = await Promise.all([
        isBackendDown({ backend: server, store: tcp }),
        isBackendDown({ backend: server, store: rest }),
      ]);
      expect(decisions).toEqual([true, true]);
      expect(backend.requests.filter((request) => request.rpcMethod === "ping").length).toBe(pingsBefore + 1);
      const afterFailedProbe = (await readBackendHealth({ mcpServerIds: [server.mcpServerId], store: rest }))[
        server.mcpServerId
      ];
      expect(afterFailedProbe).toMatchObject({ state: "down", lastErrorCode: "timeout" });

      backend.setBehavior("normal");
      await sleep(100);
      expect(await isBackendDown({ backend: server, store: rest })).toBe(false);
      expect(
        (await readBackendHealth({ mcpServerIds: [server.mcpServerId], store: tcp }))[server.mcpServerId],
      ).toMatchObject({ state: "healthy" });
    } finally {
      backend.setBehavior("normal");
      restore();
    }
  });

  it("sends no credential with the probe", async () => {
    const server = serverFor(backend.mcpUrl);
    for (let i = 0; i < 3; i += 1)
      await recordBackendOutcome({ backend: server, failure: UNREACHABLE, store: tcp });
    await sleep(100);
    const before = backend.requests.length;
    expect(await isBackendDown({ backend: server, store: tcp })).toBe(false);
    const probes = backend.requests.slice(before);
    expect(probes.map((request) => request.rpcMethod)).toEqual(["ping"]);
    expect(probes[0]?.headers.authorization).toBeUndefined();
    expect(probes[0]?.headers["x-api-key"]).toBeUndefined();
  });
});

describe("without Redis", () => {
  it("lets requests through and reads every server's health as unknown", async () => {
    const closed = createIoredisStore({ url: "redis://127.0.0.1:1" });
    try {
      const server = serverFor("http://localhost:9/mcp");
      expect(await isBackendDown({ backend: server, store: closed })).toBe(false);
      await expect(
        recordBackendOutcome({ backend: server, failure: UNREACHABLE, store: closed }),
      ).resolves.toBeUndefined();
      expect(await readBackendHealth({ mcpServerIds: [server.mcpServerId], store: closed })).toEqual({
        [server.mcpServerId]: { state: "unknown" },
      });
    } finally {
      await closed.close();
    }
  }, 15_000);
});
