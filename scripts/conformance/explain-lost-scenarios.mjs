// Why the gateway lost what it lost: for every scenario the reference server passed directly but not
// through Tumiki (or that never ran through it), the failed checks' messages from the suite's per-scenario
// results. The runner (../shared/conformance/run.sh) names lost scenarios only; a CI log that says why
// saves opening its directory. Plain Node (no tsx), so it runs wherever the runner does.
//
// Usage: node scripts/conformance/explain-lost-scenarios.mjs <runner --out directory>
//   reads direct.scenarios, gateway.scenarios (lines "<scenario> ✓|✗") and gateway/server-<scenario>-<time>/checks.json
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// A CI log stays readable when a whole revision is lost: the first few failures say enough.
const MAX_MESSAGE = 160;
const MAX_CHECKS_PER_SCENARIO = 3;
const out = process.argv[2];
if (!out) {
  console.error("usage: explain-lost-scenarios.mjs <runner output directory>");
  process.exit(2);
}

function readScenarios(file) {
  if (!existsSync(file)) return new Map();
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
  return new Map(lines.map((line) => line.split(" ")));
}

const direct = readScenarios(path.join(out, "direct.scenarios"));
const gateway = readScenarios(path.join(out, "gateway.scenarios"));
const resultsDir = path.join(out, "gateway");
const resultDirs = existsSync(resultsDir) ? readdirSync(resultsDir) : [];

for (const [scenario, mark] of direct) {
  if (mark !== "✓" || gateway.get(scenario) === "✓") continue;
  if (!gateway.has(scenario)) {
    console.log(`  ${scenario}: never ran through the gateway`);
    continue;
  }
  // Result directories are server-<scenario>-<ISO time>; the time keeps one scenario's name from
  // matching another that it is a prefix of.
  const pattern = new RegExp(
    `^server-${scenario.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\d{4}-\\d{2}-\\d{2}T`,
  );
  const dir = resultDirs.find((name) => pattern.test(name));
  let checks = [];
  try {
    checks = dir ? JSON.parse(readFileSync(path.join(resultsDir, dir, "checks.json"), "utf8")) : [];
  } catch {
    // An unreadable result says as much as a missing one.
  }
  // Warnings and skips do not fail a scenario; failures do.
  const failed = checks.filter((check) => check.status === "FAILURE");
  if (failed.length === 0) {
    console.log(`  ${scenario}: no failed check recorded (see ${path.join(out, "gateway.log")})`);
    continue;
  }
  for (const check of failed.slice(0, MAX_CHECKS_PER_SCENARIO)) {
    const message = String(check.errorMessage ?? check.description ?? "").replace(/\s+/g, " ");
    const shown = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
    console.log(`  ${scenario}: ${check.id}: ${shown}`);
  }
  if (failed.length > MAX_CHECKS_PER_SCENARIO) {
    console.log(`  ${scenario}: … and ${failed.length - MAX_CHECKS_PER_SCENARIO} more failed checks`);
  }
}
