import { describe, expect, it } from "vitest";
import type { TToolCallUsage, TUsageFigures } from "@/server/usage/usage-schemas";
import { describeErrors, formatLatency, selectUsage, toChartPoints } from "./usage-format";

const figures = (calls: number, errors = 0, p50Ms: number | null = null): TUsageFigures => ({
  calls,
  errors,
  p50Ms,
  p95Ms: p50Ms,
  avgMs: p50Ms,
});

const usage: TToolCallUsage = {
  window: "24h",
  from: new Date("2025-05-09T13:00:00.000Z"),
  to: new Date("2025-05-09T16:00:00.000Z"),
  bucketMs: 3_600_000,
  overall: { total: figures(6, 2, 40), series: [figures(0), figures(4, 1, 30), figures(2, 1, 50)] },
  instances: [{ instanceId: "i1", name: "Work", total: figures(4, 1), series: [figures(0), figures(4, 1)] }],
  servers: [{ mcpServerId: "s1", name: "Docs", total: figures(2, 1), series: [figures(2, 1)] }],
};

describe("usage chart helpers", () => {
  it("words errors with their share and latency in ms or s", () => {
    expect(describeErrors(figures(0))).toBe("0");
    expect(describeErrors(figures(8, 2))).toBe("2 (25%)");
    expect(describeErrors(figures(200, 1))).toBe("1 (0.5%)");
    expect(formatLatency(null)).toBe("—");
    expect(formatLatency(84.4)).toBe("84 ms");
    expect(formatLatency(2450)).toBe("2.5 s");
  });

  it("selects the scope's figures, falling back to all when the scope has no calls in the window", () => {
    expect(selectUsage(usage, "all")).toBe(usage.overall);
    expect(selectUsage(usage, "instance:i1").total.calls).toBe(4);
    expect(selectUsage(usage, "server:s1").total.calls).toBe(2);
    expect(selectUsage(usage, "instance:gone")).toBe(usage.overall);
  });

  it("turns a series into points, one per bucket, successes and errors apart", () => {
    const points = toChartPoints(usage, usage.overall.series);
    expect(
      points.map((point) => [point.start.toISOString(), point.successes, point.errors, point.p50]),
    ).toEqual([
      ["2025-05-09T13:00:00.000Z", 0, 0, null],
      ["2025-05-09T14:00:00.000Z", 3, 1, 30],
      ["2025-05-09T15:00:00.000Z", 1, 1, 50],
    ]);
    expect(points[0]?.label).toMatch(/\d/);
  });
});
