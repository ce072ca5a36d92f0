import { describe, expect, it } from "vitest";
import { getMetricsRegistry } from "../observability/metrics";
// The catalogue registers the gauge, as in the app.
import "../observability/tumiki-metrics";
import { createServerConnection } from "../servers/create-server-connection";
import { setTestEnv } from "../testing/proxy-fixtures";
import { createTestUser } from "../testing/tier1-fixtures";
import { recordBackendOutcome } from "./record-backend-outcome";

// `tumiki_backends{state}` as Prometheus scrapes it: counted at scrape time from the shared health
// records (the real Redis) of the servers in use (this file's fresh database), so every process that
// is scraped reports the same figures. Servers nobody talked to lately are not counted.

async function connect(userId: string, name: string) {
  const url = `https://${name.toLowerCase().replace(/\s+/g, "-")}.example.com/mcp`;
  const created = await createServerConnection({ userId, name, url, authType: "NONE", status: "CONNECTED" });
  return { mcpServerId: created.serverId, slug: created.slug, url };
}

const scrape = async () => {
  const text = await getMetricsRegistry().getSingleMetricAsString("tumiki_backends");
  return Object.fromEntries(
    [...text.matchAll(/^tumiki_backends\{state="(\w+)"\} (\d+)$/gm)].map(([, state, value]) => [
      state,
      Number(value),
    ]),
  );
};

describe("the tumiki_backends gauge", () => {
  it("counts the servers in use per health state at each scrape", async () => {
    const restore = setTestEnv({ BACKEND_DOWN_AFTER_FAILURES: "2", BACKEND_RETRY_AFTER_SECONDS: "600" });
    try {
      const user = await createTestUser();
      const a = await connect(user.id, "Gauge A");
      const b = await connect(user.id, "Gauge B");
      const c = await connect(user.id, "Gauge C");
      // In use but never talked to: unknown, not counted.
      await connect(user.id, "Gauge D");
      expect(await scrape()).toEqual({ healthy: 0, degraded: 0, down: 0 });

      await recordBackendOutcome({ backend: a, failure: null });
      await recordBackendOutcome({ backend: b, failure: { kind: "unreachable" } });
      await recordBackendOutcome({ backend: c, failure: { kind: "unreachable" } });
      await recordBackendOutcome({ backend: c, failure: { kind: "timeout" } });
      expect(await scrape()).toEqual({ healthy: 1, degraded: 1, down: 1 });

      await recordBackendOutcome({ backend: c, failure: null });
      expect(await scrape()).toEqual({ healthy: 2, degraded: 1, down: 0 });
    } finally {
      restore();
    }
  });
});
