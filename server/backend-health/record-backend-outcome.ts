import { getEnv } from "../env";
import { getLogger } from "../logger";
import { backendStateChanges } from "../observability/tumiki-metrics";
import { getRedis, type RedisStore } from "../redis";
import { applyBackendOutcome } from "./apply-backend-outcome";
import type { TBackendHealthFailure, TBackendRef } from "./backend-health-schemas";
import { isKnownClean, readHealthRecord, writeHealthRecord } from "./backend-health-store";

// Records how one request to a backend went (null: it answered). Health is a side matter of the
// request: a Redis failure here is logged and swallowed, never the request's failure. A state change
// is logged once, where it happens (a warning when a server goes down: an operator should look).

export async function recordBackendOutcome({
  backend,
  failure,
  store = getRedis(),
}: {
  backend: TBackendRef;
  failure: TBackendHealthFailure | null;
  store?: RedisStore;
}): Promise<void> {
  const { mcpServerId } = backend;
  if (failure === null && isKnownClean({ mcpServerId, store })) return;
  try {
    const env = getEnv();
    const record = await readHealthRecord({ mcpServerId, store });
    const next = applyBackendOutcome({
      record,
      failure,
      now: Date.now(),
      downAfterFailures: env.BACKEND_DOWN_AFTER_FAILURES,
      retryAfterMs: env.BACKEND_RETRY_AFTER_SECONDS * 1000,
    });
    if (next.write) await writeHealthRecord({ mcpServerId, record: next.record, store });
    if (!next.changed) return;
    backendStateChanges.inc({ state: next.changed });
    const details = { server: backend.slug, failures: next.record.failures, error: failure?.kind };
    if (next.changed === "down") {
      getLogger().warn(details, "a backend server is down: it is skipped until a probe finds it answering");
    } else if (next.changed === "healthy") {
      getLogger().info(details, "a backend server is answering again");
    } else {
      getLogger().info(details, "a backend server failed a request");
    }
  } catch (error) {
    getLogger().warn({ err: error, server: backend.slug }, "recording a backend server's health failed");
  }
}
