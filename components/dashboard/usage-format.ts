import type { TToolCallUsage, TUsageFigures, TUsageWindow } from "@/server/usage/usage-schemas";
import { formatDuration } from "./format";

// Words and chart points for the dashboard's usage charts. Pure, so the rules are tested without a browser.

const HOUR_LABEL = new Intl.DateTimeFormat("en", { hour: "numeric" });
const DAY_HOUR_LABEL = new Intl.DateTimeFormat("en", { weekday: "short", hour: "numeric" });

/** "All", one instance or one server: what the charts show, as the select's value. */
export type TUsageScope = "all" | `instance:${string}` | `server:${string}`;

export type TUsageChartPoint = {
  label: string;
  /** The bucket's start, for the tooltip. */
  start: Date;
  successes: number;
  errors: number;
  p50: number | null;
  p95: number | null;
};

/** A bucket's start in the viewer's time zone: "3 PM" for a day, "Tue 6 PM" for a week. */
export function formatBucketLabel(start: Date, window: TUsageWindow): string {
  return (window === "24h" ? HOUR_LABEL : DAY_HOUR_LABEL).format(start);
}

export function formatLatency(ms: number | null): string {
  return ms === null ? "—" : formatDuration(ms);
}

/** "3 (12.5%)": errors and their share of the calls. */
export function describeErrors({ calls, errors }: TUsageFigures): string {
  if (calls === 0) return "0";
  const share = (errors / calls) * 100;
  return `${errors} (${share < 10 && share > 0 ? share.toFixed(1) : Math.round(share)}%)`;
}

/** The figures the charts draw for a scope; a scope no longer in the window's data falls back to all. */
export function selectUsage(
  usage: TToolCallUsage,
  scope: TUsageScope,
): { total: TUsageFigures; series: TUsageFigures[] } {
  if (scope.startsWith("instance:")) {
    const id = scope.slice("instance:".length);
    return usage.instances.find((item) => item.instanceId === id) ?? usage.overall;
  }
  if (scope.startsWith("server:")) {
    const id = scope.slice("server:".length);
    return usage.servers.find((item) => item.mcpServerId === id) ?? usage.overall;
  }
  return usage.overall;
}

export function toChartPoints(usage: TToolCallUsage, series: TUsageFigures[]): TUsageChartPoint[] {
  return series.map((figures, index) => {
    const start = new Date(usage.from.getTime() + index * usage.bucketMs);
    return {
      label: formatBucketLabel(start, usage.window),
      start,
      successes: figures.calls - figures.errors,
      errors: figures.errors,
      p50: figures.p50Ms,
      p95: figures.p95Ms,
    };
  });
}
