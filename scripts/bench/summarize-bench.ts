import type { TAuthDecisionStats } from "./measure-auth-decision";
import type { TBenchTarget } from "./parse-bench-args";
import type { TLoadStats } from "./run-load";

// Turns the measured runs into what the issue asks for: Tumiki's added latency and throughput ratio
// over the framework floor per concurrency level, the targets, the failures, and the two final lines.

export const CONCURRENCY_LEVELS = [1, 4, 16] as const;

export type TBenchRun = { target: TBenchTarget; stats: TLoadStats };

type TLatencyRatios = { p50: number; p95: number; p99: number; rps: number };

export type TComparison = {
  connections: number;
  /** Tumiki minus floor, in ms. */
  tumikiAddedMs: { p50: number; p95: number; p99: number } | null;
  tumikiOverFloor: TLatencyRatios | null;
  floorOverDirect: TLatencyRatios | null;
};

export type TTargetCheck = {
  name: string;
  limit: string;
  value: number | null;
  unit: string;
  met: boolean | null;
};

export type TBenchSummary = {
  comparisons: TComparison[];
  targets: TTargetCheck[];
  failures: string[];
  finalLines: [string, string];
};

const find = (runs: TBenchRun[], target: TBenchTarget, connections: number) =>
  runs.find((run) => run.target === target && run.stats.connections === connections)?.stats;

const ratios = (over: TLoadStats | undefined, base: TLoadStats | undefined): TLatencyRatios | null =>
  over && base
    ? {
        p50: over.latencyMs.p50 / base.latencyMs.p50,
        p95: over.latencyMs.p95 / base.latencyMs.p95,
        p99: over.latencyMs.p99 / base.latencyMs.p99,
        rps: over.requestsPerSecond / base.requestsPerSecond,
      }
    : null;

const describeFailures = (run: TBenchRun): string[] => {
  const { stats } = run;
  const where = `${run.target} at c=${stats.connections}`;
  const failures: string[] = [];
  if (stats.responses === 0) failures.push(`${where}: no response at all`);
  if (stats.non2xx > 0) {
    const codes = Object.entries(stats.statusCodes)
      .filter(([code]) => !code.startsWith("2"))
      .map(([code, count]) => `${count}× ${code}`);
    failures.push(`${where}: ${stats.non2xx} non-2xx responses (${codes.join(", ")})`);
  }
  if (stats.errors > 0)
    failures.push(`${where}: ${stats.errors} connection errors (${stats.timeouts} timeouts)`);
  if (stats.failedResults > 0) {
    failures.push(
      `${where}: ${stats.failedResults} responses were a JSON-RPC or tool error, e.g. ${stats.firstFailedBody}`,
    );
  }
  return failures;
};

const check = (
  name: string,
  limit: string,
  value: number | null | undefined,
  unit: string,
  isMet: (value: number) => boolean,
): TTargetCheck => ({
  name,
  limit,
  value: value ?? null,
  unit,
  met: value === null || value === undefined ? null : isMet(value),
});

const formatOrNa = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);

export function summarizeBench(options: {
  runs: TBenchRun[];
  authDecision: TAuthDecisionStats | null;
}): TBenchSummary {
  const { runs } = options;
  const comparisons: TComparison[] = CONCURRENCY_LEVELS.map((connections) => {
    const direct = find(runs, "direct", connections);
    const floor = find(runs, "floor", connections);
    const tumiki = find(runs, "tumiki", connections);
    return {
      connections,
      tumikiAddedMs:
        tumiki && floor
          ? {
              p50: tumiki.latencyMs.p50 - floor.latencyMs.p50,
              p95: tumiki.latencyMs.p95 - floor.latencyMs.p95,
              p99: tumiki.latencyMs.p99 - floor.latencyMs.p99,
            }
          : null,
      tumikiOverFloor: ratios(tumiki, floor),
      floorOverDirect: ratios(floor, direct),
    };
  });
  const at = (connections: number) => comparisons.find((c) => c.connections === connections);
  const p50AddedAt1 = at(1)?.tumikiAddedMs?.p50;
  const p95AddedAt16 = at(16)?.tumikiAddedMs?.p95;
  const throughputRatioAt16 = at(16)?.tumikiOverFloor?.rps;

  const targets = [
    check("c=1: Tumiki p50 added over the floor", "≤ 2 ms", p50AddedAt1, "ms", (v) => v <= 2),
    check("c=16: Tumiki p95 added over the floor", "≤ 10 ms", p95AddedAt16, "ms", (v) => v <= 10),
    check("c=16: Tumiki throughput / floor throughput", "≥ 0.70", throughputRatioAt16, "", (v) => v >= 0.7),
    check("c=4: Tumiki p95", "< 200 ms", find(runs, "tumiki", 4)?.latencyMs.p95, "ms", (v) => v < 200),
  ];

  return {
    comparisons,
    targets,
    failures: runs.flatMap(describeFailures),
    finalLines: [
      `bench: c=1 p50_added_ms=${formatOrNa(p50AddedAt1, 2)}`,
      `bench: c=16 p95_added_ms=${formatOrNa(p95AddedAt16, 2)} throughput_ratio=${formatOrNa(throughputRatioAt16, 3)}`,
    ],
  };
}
