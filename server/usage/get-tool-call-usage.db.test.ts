import { describe, expect, it } from "vitest";
import { getDb } from "../db";
import type { AuditOutcome } from "../generated/prisma/client";
import { getToolCallUsage } from "./get-tool-call-usage";

// Usage figures from seeded tool-call rows at known times, against the real database: buckets, counts,
// errors and percentiles, with rows of other users, of other event types and outside the window left out.

const db = getDb();
const HOUR = 3_600_000;
// 12:30 UTC: the 24-hour window runs from 13:00 the day before to 13:00 today, in hourly buckets.
const now = new Date("2025-05-10T12:30:00.000Z");
const dayFrom = new Date("2025-05-09T13:00:00.000Z");
let counter = 0;

async function createUser() {
  counter += 1;
  return db.user.create({ data: { email: `usage-${counter}-${Date.now()}@example.test` } });
}

async function createServer(name: string, ownerUserId: string | null) {
  counter += 1;
  return db.mcpServer.create({
    data: {
      name,
      slug: `${name.toLowerCase()}-${counter}-${Date.now()}`,
      url: "https://x.example/mcp",
      ownerUserId,
    },
  });
}

type Call = {
  userId: string;
  instanceId: string;
  mcpServerId: string;
  at: Date;
  durationMs?: number;
  outcome?: AuditOutcome;
  eventType?: string;
};

async function insertCalls(calls: Call[]) {
  await db.auditLog.createMany({
    data: calls.map((call) => ({
      eventType: call.eventType ?? "mcp.tool_called",
      outcome: call.outcome ?? "SUCCESS",
      actorUserId: call.userId,
      instanceId: call.instanceId,
      mcpServerId: call.mcpServerId,
      durationMs: call.durationMs ?? 10,
      createdAt: call.at,
      detail: { tool: "t" },
    })),
  });
}

describe("getToolCallUsage", () => {
  it("counts calls and errors per hour, with p50/p95/avg latency, for the last 24 hours", async () => {
    const user = await createUser();
    const other = await createUser();
    const work = await db.mcpInstance.create({ data: { userId: user.id, name: "Work" } });
    const docs = await createServer("Docs", user.id);
    const theirs = await db.mcpInstance.create({ data: { userId: other.id, name: "Theirs" } });
    const mine = { userId: user.id, instanceId: work.id, mcpServerId: docs.id };
    const lastHour = new Date("2025-05-10T12:05:00.000Z");

    await insertCalls([
      // The current hour (bucket 23): four successes and a failure.
      ...[10, 20, 30, 40].map((durationMs) => ({ ...mine, at: lastHour, durationMs })),
      { ...mine, at: lastHour, durationMs: 100, outcome: "FAILURE" },
      // A scope refusal: a call and an error, but no latency (it never reached a backend).
      { ...mine, at: lastHour, durationMs: 0, outcome: "DENIED" },
      // The first bucket starts exactly at the window's start, inclusive.
      { ...mine, at: dayFrom, durationMs: 5 },
      // Bucket 10: 23:00–23:59 the day before.
      { ...mine, at: new Date(dayFrom.getTime() + 10 * HOUR + 59 * 60_000), durationMs: 7 },
      // Left out: a millisecond before the window, at its (exclusive) end, another event type, another user.
      { ...mine, at: new Date(dayFrom.getTime() - 1), durationMs: 9999 },
      { ...mine, at: new Date("2025-05-10T13:00:00.000Z"), durationMs: 9999 },
      { ...mine, at: lastHour, durationMs: 9999, eventType: "mcp.scope_denied" },
      { userId: other.id, instanceId: theirs.id, mcpServerId: docs.id, at: lastHour, durationMs: 9999 },
    ]);

    const usage = await getToolCallUsage({ userId: user.id, window: "24h", now });

    expect(usage).toMatchObject({ window: "24h", from: dayFrom, bucketMs: HOUR });
    expect(usage.to).toEqual(new Date("2025-05-10T13:00:00.000Z"));
    expect(usage.overall.series).toHaveLength(24);
    // Durations that reached a backend: 5, 7, 10, 20, 30, 40, 100.
    expect(usage.overall.total).toEqual({ calls: 8, errors: 2, p50Ms: 20, p95Ms: 82, avgMs: 30.3 });
    // Current hour: 10, 20, 30, 40, 100 → p50 30, p95 40 + 0.8 × 60 = 88, avg 40.
    expect(usage.overall.series[23]).toEqual({ calls: 6, errors: 2, p50Ms: 30, p95Ms: 88, avgMs: 40 });
    expect(usage.overall.series[0]).toEqual({ calls: 1, errors: 0, p50Ms: 5, p95Ms: 5, avgMs: 5 });
    expect(usage.overall.series[10]).toMatchObject({ calls: 1, p50Ms: 7 });
    const empty = usage.overall.series.filter((_, index) => ![0, 10, 23].includes(index));
    expect(empty.every((figures) => figures.calls === 0 && figures.p50Ms === null)).toBe(true);

    expect(usage.instances).toEqual([
      { instanceId: work.id, name: "Work", total: usage.overall.total, series: usage.overall.series },
    ]);
    expect(usage.servers).toEqual([
      { mcpServerId: docs.id, name: "Docs", total: usage.overall.total, series: usage.overall.series },
    ]);
  });

  it("splits the figures per instance and per server, busiest first, naming only what is the user's", async () => {
    const user = await createUser();
    const other = await createUser();
    const work = await db.mcpInstance.create({ data: { userId: user.id, name: "Work" } });
    const home = await db.mcpInstance.create({ data: { userId: user.id, name: "Home" } });
    const gone = await db.mcpInstance.create({ data: { userId: user.id, name: "Gone" } });
    const catalog = await createServer("Catalog", null);
    const own = await createServer("Own", user.id);
    // A server of another user: a row naming it (as a forged or stale row would) does not reveal its name.
    const foreign = await createServer("Foreign secret", other.id);
    const at = new Date("2025-05-10T11:15:00.000Z");
    await insertCalls([
      ...Array.from({ length: 3 }, () => ({
        userId: user.id,
        instanceId: work.id,
        mcpServerId: catalog.id,
        at,
      })),
      { userId: user.id, instanceId: work.id, mcpServerId: own.id, at, outcome: "FAILURE" as const },
      { userId: user.id, instanceId: home.id, mcpServerId: own.id, at },
      { userId: user.id, instanceId: gone.id, mcpServerId: foreign.id, at },
    ]);
    await db.mcpInstance.delete({ where: { id: gone.id } });

    const usage = await getToolCallUsage({ userId: user.id, window: "24h", now });

    // Ties keep a stable order (by id); the deleted instance keeps its figures without a name.
    const quiet = [
      [home.id, "Home", 1],
      [gone.id, null, 1],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(usage.instances.map((item) => [item.instanceId, item.name, item.total.calls])).toEqual([
      [work.id, "Work", 4],
      ...quiet,
    ]);
    expect(usage.instances[0]?.total.errors).toBe(1);
    expect(usage.servers.map((item) => [item.name, item.total.calls, item.total.errors])).toEqual([
      ["Catalog", 3, 0],
      ["Own", 2, 1],
      [null, 1, 0],
    ]);
    expect(usage.servers.find((item) => item.mcpServerId === own.id)?.series[22]).toMatchObject({
      calls: 2,
      errors: 1,
    });
    expect(JSON.stringify(usage)).not.toContain("Foreign secret");
  });

  it("uses six-hour buckets over the last 7 days", async () => {
    const user = await createUser();
    const instance = await db.mcpInstance.create({ data: { userId: user.id, name: "Work" } });
    const server = await createServer("Docs", user.id);
    const call = { userId: user.id, instanceId: instance.id, mcpServerId: server.id };
    // 12:30 lies in the 12:00–18:00 bucket; 28 buckets back from 18:00 is 2025-05-03T18:00.
    const weekFrom = new Date("2025-05-03T18:00:00.000Z");
    await insertCalls([
      { ...call, at: weekFrom, durationMs: 1 },
      { ...call, at: new Date("2025-05-07T05:59:59.999Z"), durationMs: 2 },
      { ...call, at: new Date("2025-05-07T06:00:00.000Z"), durationMs: 3 },
      { ...call, at: new Date("2025-05-10T12:05:00.000Z"), durationMs: 4 },
      { ...call, at: new Date(weekFrom.getTime() - 1), durationMs: 5 },
    ]);

    const usage = await getToolCallUsage({ userId: user.id, window: "7d", now });

    expect(usage).toMatchObject({
      from: weekFrom,
      to: new Date("2025-05-10T18:00:00.000Z"),
      bucketMs: 6 * HOUR,
    });
    expect(usage.overall.series).toHaveLength(28);
    const calls = usage.overall.series.map((figures) => figures.calls);
    // 2025-05-07T00:00 is bucket (3 days + 6 h) / 6 h = 13; 06:00 starts bucket 14; the current one is 27.
    expect(calls.flatMap((value, index) => (value > 0 ? [[index, value]] : []))).toEqual([
      [0, 1],
      [13, 1],
      [14, 1],
      [27, 1],
    ]);
    expect(usage.overall.total).toMatchObject({ calls: 4, p50Ms: 2.5 });
  });

  it("answers zeros for a user without tool calls", async () => {
    const user = await createUser();
    const usage = await getToolCallUsage({ userId: user.id, window: "24h", now });
    expect(usage.overall.total).toEqual({ calls: 0, errors: 0, p50Ms: null, p95Ms: null, avgMs: null });
    expect(usage.overall.series.every((figures) => figures.calls === 0)).toBe(true);
    expect(usage.instances).toEqual([]);
    expect(usage.servers).toEqual([]);
  });
});
