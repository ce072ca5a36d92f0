import { getLogger } from "../logger";
import { getRedis, type RedisStore } from "../redis";
import type { TBackendHealthMap } from "./backend-health-schemas";
import { readHealthRecord } from "./backend-health-store";
import { deriveBackendHealth } from "./derive-backend-health";

// The health of some servers, for the dashboard and the metrics scrape. Callers pass only ids the
// user may see (health itself holds no secret, but the ids are the user's business). When Redis
// cannot be reached every server reads "unknown": the dashboard must still render.

export async function readBackendHealth({
  mcpServerIds,
  store = getRedis(),
}: {
  mcpServerIds: string[];
  store?: RedisStore;
}): Promise<TBackendHealthMap> {
  const ids = [...new Set(mcpServerIds)];
  const now = Date.now();
  let failed: unknown = null;
  const entries = await Promise.all(
    ids.map(async (mcpServerId) => {
      try {
        const record = await readHealthRecord({ mcpServerId, store });
        return [mcpServerId, deriveBackendHealth({ record, now })] as const;
      } catch (error) {
        failed = error;
        return [mcpServerId, { state: "unknown" as const }] as const;
      }
    }),
  );
  if (failed) getLogger().warn({ err: failed }, "reading backend servers' health failed");
  return Object.fromEntries(entries);
}
