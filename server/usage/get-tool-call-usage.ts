import { getDb } from "../db";
import {
  type TToolCallUsage,
  type TUsageFigures,
  type TUsageWindow,
  USAGE_WINDOW_BUCKETS,
} from "./usage-schemas";

// The dashboard's charts of tool calls: counts, errors and latency per time bucket, for the account and
// per instance and server. One SQL statement aggregates them all (GROUPING SETS) over the user's own
// `mcp.tool_called` rows in the window, found through AuditLog(actorUserId, eventType, createdAt): the
// rows never travel to Node, so a busy account costs one scan of its window, not a million objects.

type TAggregateRow = {
  grouping: number;
  bucket: Date | null;
  instanceId: string | null;
  mcpServerId: string | null;
  calls: number;
  errors: number;
  /** [p50, p95]; null when no call of the group reached a backend. */
  percentiles: (number | null)[] | null;
  avg: number | null;
};

// GROUPING(bucket, "instanceId", "mcpServerId") sets a bit for each column a row is NOT grouped by.
const NOT_BY_BUCKET = 4;
const NOT_BY_INSTANCE = 2;
const NOT_BY_SERVER = 1;

type TBreakdown = { total: TUsageFigures; series: TUsageFigures[] };

const emptyFigures = (): TUsageFigures => ({ calls: 0, errors: 0, p50Ms: null, p95Ms: null, avgMs: null });

const emptyBreakdown = (count: number): TBreakdown => ({
  total: emptyFigures(),
  series: Array.from({ length: count }, emptyFigures),
});

function toFigures(row: TAggregateRow): TUsageFigures {
  const round = (value: number | null) => (value === null ? null : Math.round(Number(value) * 10) / 10);
  return {
    calls: Number(row.calls),
    errors: Number(row.errors),
    p50Ms: round(row.percentiles?.[0] ?? null),
    p95Ms: round(row.percentiles?.[1] ?? null),
    avgMs: round(row.avg),
  };
}

function busiestFirst(a: [string, TBreakdown], b: [string, TBreakdown]): number {
  return b[1].total.calls - a[1].total.calls || a[0].localeCompare(b[0]);
}

export async function getToolCallUsage({
  userId,
  window,
  now = new Date(),
}: {
  userId: string;
  window: TUsageWindow;
  now?: Date;
}): Promise<TToolCallUsage> {
  const { bucketMs, count } = USAGE_WINDOW_BUCKETS[window];
  // Buckets are aligned to UTC multiples of their size; the last one is the current, partial bucket.
  const to = new Date((Math.floor(now.getTime() / bucketMs) + 1) * bucketMs);
  const from = new Date(to.getTime() - count * bucketMs);
  const db = getDb();

  // createdAt is a UTC `timestamp` without time zone: ISO literals cast to it keep their wall time, so
  // the buckets (date_bin from `from`) and the range match `from` and `to` whatever the session's zone.
  // One sort per group serves both percentiles (the array form of percentile_cont).
  const fromTimestamp = from.toISOString();
  const rows = await db.$queryRaw<TAggregateRow[]>`
    SELECT GROUPING(bucket, "instanceId", "mcpServerId")::int AS grouping,
           bucket, "instanceId", "mcpServerId",
           count(*)::int AS calls,
           count(*) FILTER (WHERE outcome <> 'SUCCESS')::int AS errors,
           percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY "durationMs")
             FILTER (WHERE outcome <> 'DENIED') AS percentiles,
           (avg("durationMs") FILTER (WHERE outcome <> 'DENIED'))::float8 AS avg
    FROM (
      SELECT date_bin(${bucketMs}::int * interval '1 millisecond', "createdAt", ${fromTimestamp}::timestamp)
               AS bucket,
             "instanceId", "mcpServerId", outcome, "durationMs"
      FROM "AuditLog"
      WHERE "actorUserId" = ${userId}
        AND "eventType" = 'mcp.tool_called'
        AND "createdAt" >= ${fromTimestamp}::timestamp
        AND "createdAt" < ${to.toISOString()}::timestamp
    ) AS calls
    GROUP BY GROUPING SETS ((), (bucket), ("instanceId"), (bucket, "instanceId"), ("mcpServerId"),
                            (bucket, "mcpServerId"))`;

  const overall = emptyBreakdown(count);
  const byInstance = new Map<string, TBreakdown>();
  const byServer = new Map<string, TBreakdown>();
  const breakdownOf = (map: Map<string, TBreakdown>, id: string) => {
    const breakdown = map.get(id) ?? emptyBreakdown(count);
    map.set(id, breakdown);
    return breakdown;
  };
  for (const row of rows) {
    let target: TBreakdown;
    if ((row.grouping & NOT_BY_INSTANCE) === 0) {
      // Rows without an instance or server (tool calls always name both) count in the account's only.
      if (row.instanceId === null) continue;
      target = breakdownOf(byInstance, row.instanceId);
    } else if ((row.grouping & NOT_BY_SERVER) === 0) {
      if (row.mcpServerId === null) continue;
      target = breakdownOf(byServer, row.mcpServerId);
    } else {
      target = overall;
    }
    if ((row.grouping & NOT_BY_BUCKET) !== 0) {
      target.total = toFigures(row);
      continue;
    }
    const index = row.bucket ? Math.round((row.bucket.getTime() - from.getTime()) / bucketMs) : -1;
    if (index >= 0 && index < count) target.series[index] = toFigures(row);
  }

  const [instances, servers] = await Promise.all([
    db.mcpInstance.findMany({
      where: { id: { in: [...byInstance.keys()] }, userId },
      select: { id: true, name: true },
    }),
    db.mcpServer.findMany({
      where: { id: { in: [...byServer.keys()] }, OR: [{ ownerUserId: userId }, { ownerUserId: null }] },
      select: { id: true, name: true },
    }),
  ]);
  const instanceNames = new Map(instances.map((instance) => [instance.id, instance.name]));
  const serverNames = new Map(servers.map((server) => [server.id, server.name]));

  return {
    window,
    from,
    to,
    bucketMs,
    overall,
    instances: [...byInstance].sort(busiestFirst).map(([instanceId, breakdown]) => ({
      instanceId,
      name: instanceNames.get(instanceId) ?? null,
      ...breakdown,
    })),
    servers: [...byServer].sort(busiestFirst).map(([mcpServerId, breakdown]) => ({
      mcpServerId,
      name: serverNames.get(mcpServerId) ?? null,
      ...breakdown,
    })),
  };
}
