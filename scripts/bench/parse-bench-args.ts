import { parseArgs } from "node:util";

// `npm run bench -- [options]`. The concurrency levels are fixed by the issue (1, 4, 16).

/** tumiki: a 2025-11-25 client in a session; tumiki-2026: a 2026-07-28 client, stateless. */
export const BENCH_TARGETS = ["direct", "floor", "tumiki", "tumiki-2026"] as const;
export type TBenchTarget = (typeof BENCH_TARGETS)[number];

export type TBenchArgs = {
  skipBuild: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  targets: TBenchTarget[];
  iterations: number;
};

export const BENCH_USAGE = `Usage: npm run bench -- [--skip-build] [--duration <s>] [--warmup <s>] [--targets <list>] [--iterations <n>]
  --skip-build     reuse the existing production build (.next/BUILD_ID) instead of running npm run build
  --duration <s>   seconds each measured run lasts (default 10)
  --warmup <s>     seconds of unmeasured load before each run (default 2)
  --targets <list> comma-separated subset of direct,floor,tumiki,tumiki-2026 (default all four)
  --iterations <n> auth decisions timed by the micro-benchmark (default 2000)
Needs DATABASE_URL (PostgreSQL; the bench creates and drops a database of its own) and REDIS_URL.`;

const positiveNumber = (name: string, raw: string, { integer = false } = {}): number => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a positive ${integer ? "integer" : "number"}, got "${raw}"`);
  }
  return value;
};

/** Throws an Error naming the bad option. */
export function parseBenchArgs(argv: string[]): TBenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      "skip-build": { type: "boolean", default: false },
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      targets: { type: "string", default: BENCH_TARGETS.join(",") },
      iterations: { type: "string", default: "2000" },
    },
    strict: true,
  });
  const targets = values.targets.split(",").map((target) => target.trim());
  const unknown = targets.filter((target) => !(BENCH_TARGETS as readonly string[]).includes(target));
  if (unknown.length > 0 || targets.length === 0) {
    throw new Error(`--targets takes a subset of ${BENCH_TARGETS.join(",")}, got "${values.targets}"`);
  }
  return {
    skipBuild: values["skip-build"],
    durationSeconds: positiveNumber("duration", values.duration),
    warmupSeconds: positiveNumber("warmup", values.warmup),
    // In the fixed order, so runs of one concurrency level are always direct, floor, Tumiki (both eras).
    targets: BENCH_TARGETS.filter((target) => targets.includes(target)),
    iterations: positiveNumber("iterations", values.iterations, { integer: true }),
  };
}
