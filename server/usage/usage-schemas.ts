import { z } from "zod";

// The shapes of the dashboard's usage figures (router usage). Pure zod, so client components may import it.

const ZUsageWindow = z.enum(["24h", "7d"]);
export type TUsageWindow = z.infer<typeof ZUsageWindow>;

/** Hourly buckets for a day, six-hourly for a week: 24 and 28 points, enough to read, few to draw. */
export const USAGE_WINDOW_BUCKETS: Record<TUsageWindow, { bucketMs: number; count: number }> = {
  "24h": { bucketMs: 3_600_000, count: 24 },
  "7d": { bucketMs: 6 * 3_600_000, count: 28 },
};

export const ZGetToolCallUsageInput = z.object({ window: ZUsageWindow });

/**
 * Tool calls in a span of time. Errors are calls that did not succeed (backend failures and scope refusals).
 */
const ZUsageFigures = z.object({
  calls: z.number().int(),
  errors: z.number().int(),
  /** Latency of the calls that reached a backend (refusals take no time); null without any. */
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  avgMs: z.number().nullable(),
});
export type TUsageFigures = z.infer<typeof ZUsageFigures>;

/** One line of usage: the whole account, an instance or a server; `series` has one entry per bucket. */
const ZUsageBreakdown = z.object({
  total: ZUsageFigures,
  series: z.array(ZUsageFigures),
});

export const ZToolCallUsage = z.object({
  window: ZUsageWindow,
  /** Start of the first bucket; buckets follow each other every `bucketMs` up to `to` (exclusive). */
  from: z.date(),
  to: z.date(),
  bucketMs: z.number().int(),
  overall: ZUsageBreakdown,
  /** Busiest first. A name is null when the instance or server is gone (its rows remain). */
  instances: z.array(ZUsageBreakdown.extend({ instanceId: z.string(), name: z.string().nullable() })),
  servers: z.array(ZUsageBreakdown.extend({ mcpServerId: z.string(), name: z.string().nullable() })),
});
export type TToolCallUsage = z.infer<typeof ZToolCallUsage>;
