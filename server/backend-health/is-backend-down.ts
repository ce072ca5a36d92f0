import { randomUUID } from "node:crypto";
import { getEnv } from "../env";
import { getLogger } from "../logger";
import { getRedis, type RedisStore } from "../redis";
import type { TBackendRef } from "./backend-health-schemas";
import { probeLockKey, readHealthRecord } from "./backend-health-store";
import { probeBackend } from "./probe-backend";
import { recordBackendOutcome } from "./record-backend-outcome";

// The circuit check before a request to a backend: true means skip the server now, without waiting for
// its timeout. A down server whose retry is due is probed first, by one process at a time (a Redis
// lock): the request that took the lock waits for the probe (a few seconds at most) and goes through
// when the server answers; every other request meanwhile skips the server. A Redis failure lets the
// request through: without the shared state, the backend's own timeout is the fallback.

const MAX_PROBE_MS = 5_000;

export async function isBackendDown({
  backend,
  store = getRedis(),
}: {
  backend: TBackendRef;
  store?: RedisStore;
}): Promise<boolean> {
  const { mcpServerId } = backend;
  try {
    const record = await readHealthRecord({ mcpServerId, store });
    if (!record?.down) return false;
    if (record.retryAt !== null && Date.now() < record.retryAt) return true;
    const timeoutMs = Math.min(MAX_PROBE_MS, getEnv().MCP_BACKEND_TIMEOUT_MS);
    const lock = probeLockKey(mcpServerId);
    const token = randomUUID();
    if (!(await store.set(lock, token, { nx: true, px: timeoutMs + 1_000 }))) return true;
    try {
      const failure = await probeBackend({ url: backend.url, timeoutMs });
      await recordBackendOutcome({ backend, failure, store });
      return failure !== null;
    } finally {
      await store.deleteIfEquals(lock, token).catch(() => undefined);
    }
  } catch (error) {
    getLogger().warn({ err: error, server: backend.slug }, "reading a backend server's health failed");
    return false;
  }
}
