import { getDb } from "../db";
import { getRedis, type RedisStore } from "../redis";
import type { TBackendHealthState } from "./backend-health-schemas";
import { readBackendHealth } from "./read-backend-health";

// How many servers are in each state, for the `tumiki_backends` gauge: the servers someone is
// connected to (a catalog entry nobody uses has no health), counted from the shared records, so every
// process reports the same figures. A server Tumiki has not talked to lately ("unknown") is not counted.

/** Far above any real deployment; keeps one scrape's Redis reads bounded. */
const MAX_SERVERS = 10_000;

export async function countBackendStates({
  store = getRedis(),
}: {
  store?: RedisStore;
} = {}): Promise<Record<Exclude<TBackendHealthState, "unknown">, number>> {
  const servers = await getDb().mcpServer.findMany({
    where: { connections: { some: {} } },
    select: { id: true },
    orderBy: { id: "asc" },
    take: MAX_SERVERS,
  });
  const health = await readBackendHealth({ mcpServerIds: servers.map((server) => server.id), store });
  const counts = { healthy: 0, degraded: 0, down: 0 };
  for (const { state } of Object.values(health)) {
    if (state !== "unknown") counts[state] += 1;
  }
  return counts;
}
