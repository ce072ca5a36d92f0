import { describe, expect, it } from "vitest";
import type { TBenchTarget } from "./parse-bench-args";
import type { TLoadStats } from "./run-load";
import { summarizeBench } from "./summarize-bench";

// The figures the issue asks for, computed from known runs.

const stats = (
  connections: number,
  latency: { p50: number; p95: number; p99: number },
  requestsPerSecond: number,
  failures: Partial<TLoadStats> = {},
): TLoadStats => ({
  connections,
  durationSeconds: 10,
  responses: requestsPerSecond * 10,
  requestsPerSecond,
  latencyMs: { mean: latency.p50, max: latency.p99, ...latency },
  non2xx: 0,
  statusCodes: { "200": requestsPerSecond * 10 },
  errors: 0,
  timeouts: 0,
  failedResults: 0,
  ...failures,
});

const run = (target: TBenchTarget, s: TLoadStats) => ({ target, stats: s });

describe("summarizeBench", () => {
  it("reports Tumiki's additions over the floor, the targets and the two final lines", () => {
    const summary = summarizeBench({
      authDecision: null,
      runs: [
        run("direct", stats(1, { p50: 1, p95: 2, p99: 3 }, 900)),
        run("floor", stats(1, { p50: 3, p95: 5, p99: 8 }, 300)),
        run("tumiki", stats(1, { p50: 4.5, p95: 7, p99: 11 }, 200)),
        run("floor", stats(4, { p50: 10, p95: 20, p99: 30 }, 400)),
        run("tumiki", stats(4, { p50: 12, p95: 250, p99: 300 }, 350)),
        run("floor", stats(16, { p50: 40, p95: 60, p99: 80 }, 400)),
        run("tumiki", stats(16, { p50: 45, p95: 75, p99: 90 }, 260)),
      ],
    });
    expect(summary.comparisons[0]?.tumikiAddedMs).toEqual({ p50: 1.5, p95: 2, p99: 3 });
    expect(summary.comparisons[0]?.floorOverDirect?.rps).toBeCloseTo(1 / 3);
    expect(summary.targets.map((target) => [target.value, target.met])).toEqual([
      [1.5, true],
      [15, false],
      [0.65, false],
      [250, false],
    ]);
    expect(summary.finalLines).toEqual([
      "bench: c=1 p50_added_ms=1.50",
      "bench: c=16 p95_added_ms=15.00 throughput_ratio=0.650",
    ]);
    expect(summary.failures).toEqual([]);
  });

  it("names every run with failed responses, and n/a where Tumiki was not measured", () => {
    const summary = summarizeBench({
      authDecision: null,
      runs: [
        run(
          "floor",
          stats(16, { p50: 1, p95: 2, p99: 3 }, 100, {
            non2xx: 3,
            statusCodes: { "200": 997, "429": 3 },
            failedResults: 1,
            firstFailedBody: '{"error":{}}',
          }),
        ),
      ],
    });
    expect(summary.failures).toEqual([
      "floor at c=16: 3 non-2xx responses (3× 429)",
      'floor at c=16: 1 responses were a JSON-RPC or tool error, e.g. {"error":{}}',
    ]);
    expect(summary.targets.every((target) => target.met === null)).toBe(true);
    expect(summary.finalLines).toEqual([
      "bench: c=1 p50_added_ms=n/a",
      "bench: c=16 p95_added_ms=n/a throughput_ratio=n/a",
    ]);
  });
});
