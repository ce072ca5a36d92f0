import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TAuthDecisionStats } from "./measure-auth-decision";
import type { TBenchArgs } from "./parse-bench-args";
import { CONCURRENCY_LEVELS, type TBenchRun, type TBenchSummary } from "./summarize-bench";

// Prints the bench's results (table, ratios, targets, the auth micro-benchmark, failures), writes them
// to .data/bench/bench-<timestamp>.json and .data/bench/latest.json, and ends with the two `bench:`
// lines, which are the last lines of the output.

const RESULTS_DIR = path.join(".data", "bench");

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "n/a");
const ratio = (value: number | undefined) => (value === undefined ? "n/a" : `×${value.toFixed(2)}`);
const row = (cells: (string | number)[], widths: number[]) =>
  cells.map((cell, i) => String(cell).padStart(widths[i] ?? 8)).join(" ");

export function reportBench(options: {
  args: TBenchArgs;
  startedAt: Date;
  /** os.loadavg() before the bench started anything: other work on the machine skews the figures. */
  loadAverageAtStart: number[];
  runs: TBenchRun[];
  authDecision: TAuthDecisionStats | null;
  summary: TBenchSummary;
}): string {
  const { runs, summary, authDecision } = options;
  const widths = [8, 4, 9, 9, 9, 9, 9, 8, 8, 8];
  console.log("");
  console.log(
    `tools/call search_notes, ${options.args.durationSeconds} s per run after ${options.args.warmupSeconds} s of warm-up`,
  );
  console.log(
    row(
      ["target", "c", "p50 ms", "p95 ms", "p99 ms", "mean ms", "req/s", "non-2xx", "errors", "rpc err"],
      widths,
    ),
  );
  for (const connections of CONCURRENCY_LEVELS) {
    for (const { target, stats } of runs.filter((run) => run.stats.connections === connections)) {
      const { latencyMs } = stats;
      console.log(
        row(
          [
            target,
            connections,
            ms(latencyMs.p50),
            ms(latencyMs.p95),
            ms(latencyMs.p99),
            ms(latencyMs.mean),
            stats.requestsPerSecond.toFixed(0),
            stats.non2xx,
            stats.errors,
            stats.failedResults,
          ],
          widths,
        ),
      );
    }
  }

  console.log("");
  for (const comparison of summary.comparisons) {
    const { tumikiAddedMs: added, tumikiOverFloor: tumiki, floorOverDirect: floor } = comparison;
    const parts = [`c=${comparison.connections}`];
    if (added) {
      parts.push(
        `Tumiki adds p50 ${ms(added.p50)} ms, p95 ${ms(added.p95)} ms, p99 ${ms(added.p99)} ms over the floor`,
      );
    }
    if (tumiki) {
      parts.push(
        `Tumiki/floor p50 ${ratio(tumiki.p50)} p95 ${ratio(tumiki.p95)} p99 ${ratio(tumiki.p99)} req/s ${ratio(tumiki.rps)}`,
      );
    }
    if (floor) {
      parts.push(
        `floor/direct p50 ${ratio(floor.p50)} p95 ${ratio(floor.p95)} p99 ${ratio(floor.p99)} req/s ${ratio(floor.rps)}`,
      );
    }
    console.log(parts.join("; "));
  }

  console.log("");
  if (authDecision) {
    console.log(
      `auth decision in-process, warm caches (authenticateMcpRequest + hasServerAccess + getValidToken), ` +
        `${authDecision.iterations} iterations: mean ${authDecision.meanUs.toFixed(0)} µs, ` +
        `p50 ${authDecision.p50Us.toFixed(0)} µs, p99 ${authDecision.p99Us.toFixed(0)} µs`,
    );
  }
  console.log("targets:");
  for (const target of summary.targets) {
    const value =
      target.value === null
        ? "not measured"
        : `${target.value.toFixed(target.unit ? 2 : 3)}${target.unit ? ` ${target.unit}` : ""}`;
    const verdict = target.met === null ? "NOT MEASURED" : target.met ? "met" : "NOT MET";
    console.log(`  ${target.name} ${target.limit}: ${value} → ${verdict}`);
  }
  if (summary.failures.length > 0) {
    console.log("failures:");
    for (const failure of summary.failures) console.log(`  ${failure}`);
  }

  const file = path.join(RESULTS_DIR, `bench-${options.startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  const json = JSON.stringify(
    {
      startedAt: options.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options: options.args,
      tool: "search_notes",
      machine: {
        node: process.version,
        platform: process.platform,
        arch: process.arch,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        loadAverageAtStart: options.loadAverageAtStart,
        loadAverageAtEnd: os.loadavg(),
      },
      runs,
      comparisons: summary.comparisons,
      authDecision,
      targets: summary.targets,
      failures: summary.failures,
      finalLines: summary.finalLines,
    },
    null,
    2,
  );
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file, `${json}\n`);
  writeFileSync(path.join(RESULTS_DIR, "latest.json"), `${json}\n`);
  console.log(`results: ${file} (also ${path.join(RESULTS_DIR, "latest.json")})`);
  for (const line of summary.finalLines) console.log(line);
  return file;
}
