import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

// `npm test`: every unit and integration test that can run here. With DATABASE_URL the database tests
// use that PostgreSQL (a fresh schema per file), otherwise an embedded PGlite database. Tests that need
// a Redis server run when REDIS_URL is set; otherwise each of them is named as not run.
// Ends with one summary line: "tests: N passed, N failed, N skipped".

const root = path.resolve(import.meta.dirname, "..");
const resultsFile = path.join(root, ".data", "vitest-results.json");
const vitest = path.join(root, "node_modules", "vitest", "vitest.mjs");

if (!existsSync(path.join(root, "server", "generated", "schema-metadata.ts"))) {
  execFileSync("npm", ["run", "db:generate"], { stdio: "inherit", cwd: root });
}

const projects = ["unit", "db"];
console.log(
  process.env.DATABASE_URL
    ? "[test] database tests: PostgreSQL from DATABASE_URL (a fresh schema per file)"
    : "[test] database tests: embedded PGlite (DATABASE_URL not set)",
);
/** Names the tests of a project that cannot run here (listing only collects them; nothing connects). */
function listNotRun(project: string, why: string, hint: string) {
  const listed = spawnSync(process.execPath, [vitest, "list", "--project", project, "--json"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, REDIS_URL: process.env.REDIS_URL ?? "redis://not-connected.invalid:6379" },
  });
  const notRun = JSON.parse(listed.stdout || "[]") as { name: string; file: string }[];
  console.log(`[test] ${why}: ${notRun.length} tests were NOT run:`);
  for (const test of notRun)
    console.log(`[test]   not run: ${path.relative(root, test.file)} > ${test.name}`);
  console.log(`[test] ${hint}`);
}

if (process.env.REDIS_URL) {
  projects.push("redis");
  console.log("[test] Redis tests: REDIS_URL");
} else {
  listNotRun(
    "redis",
    "REDIS_URL not set (they need a Redis server)",
    "run them with REDIS_URL=redis://127.0.0.1:6379 npm test",
  );
}
if (process.env.REDIS_URL && process.env.DATABASE_URL) {
  projects.push("services");
  console.log("[test] multi-process tests: DATABASE_URL and REDIS_URL");
} else {
  listNotRun(
    "services",
    "DATABASE_URL or REDIS_URL not set (several Tumiki processes share only PostgreSQL and Redis)",
    "run them with DATABASE_URL=postgresql://… and REDIS_URL=redis://… npm test",
  );
}

mkdirSync(path.dirname(resultsFile), { recursive: true });
rmSync(resultsFile, { force: true });
const run = spawnSync(
  process.execPath,
  [
    vitest,
    "run",
    ...projects.flatMap((p) => ["--project", p]),
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${resultsFile}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: "inherit" },
);

let summary = "tests: no results (vitest did not write its report)";
if (existsSync(resultsFile)) {
  const report = JSON.parse(readFileSync(resultsFile, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numTotalTests: number;
  };
  summary = `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`;
  if (report.numTotalTests === 0) {
    console.error("[test] no test ran");
    process.exitCode = 1;
  }
}
console.log(summary);
process.exitCode ||= run.status ?? 1;
