import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { config as loadDotenv } from "dotenv";
import { Redis } from "ioredis";
import { getDb } from "../server/db";
import { resetEnvCache } from "../server/env";
import { resetRateLimit } from "../server/rate-limit/reset-rate-limit";
import { getRedis } from "../server/redis";
import { createBenchDatabase } from "./bench/create-bench-database";
import { createCleanup, type TCleanup } from "./bench/create-cleanup";
import { findFreePort } from "./bench/find-free-port";
import {
  callMcpTool,
  closeMcpSession,
  modernMcpTarget,
  openMcpSession,
  type TMcpSession,
} from "./bench/mcp-session";
import { measureAuthDecision, type TAuthDecisionStats } from "./bench/measure-auth-decision";
import { BENCH_USAGE, parseBenchArgs, type TBenchArgs, type TBenchTarget } from "./bench/parse-bench-args";
import { reportBench } from "./bench/report-bench";
import { BENCH_TOOL, runLoad } from "./bench/run-load";
import { seedBench } from "./bench/seed-bench";
import { startBenchBackend } from "./bench/start-bench-backend";
import {
  killAllChildProcessesNow,
  runChildProcessOrThrow,
  startChildProcess,
} from "./bench/start-child-process";
import { CONCURRENCY_LEVELS, summarizeBench, type TBenchRun } from "./bench/summarize-bench";
import { waitForApp } from "./bench/wait-for-app";

// `npm run bench`: what Tumiki's proxy costs over the framework it runs on. One production build, the
// demo backend and `next start` on free ports, a database of the bench's own; then tools/call at
// concurrency 1, 4 and 16 against (a) the backend directly, (b) the framework floor (app/bench/floor:
// the same build forwarding the body, nothing else) and (c) Tumiki's /mcp/{instanceId} with warm
// caches, for a 2025-11-25 client in a session and for a 2026-07-28 client (stateless, Tumiki
// translating to the demo backend's 2025 session). Runs of one concurrency level follow each other
// (direct, floor, Tumiki), so a drift of the machine affects all alike. Everything it starts or
// creates is undone at the end, also on failure and on Ctrl-C.

const log = (message: string) => console.log(`[bench] ${message}`);
const WARM_CALLS = 5;
/** A Tumiki access token is replaced when it would expire within a run plus this margin. */
const TOKEN_MARGIN_MS = 60_000;
const FORCE_AFTER_MS = 2_000;
const BENCH_MCP_REQUEST_LIMIT = "1000000000/1h";

type TMeasured = { runs: TBenchRun[]; authDecision: TAuthDecisionStats | null };

async function buildUnlessSkipped(args: TBenchArgs, env: NodeJS.ProcessEnv): Promise<void> {
  const buildId = path.join(".next", "BUILD_ID");
  if (args.skipBuild && existsSync(buildId)) {
    // The figures are those of that build: say how old it is, so a stale one is noticed.
    log(`--skip-build: using the production build made ${statSync(buildId).mtime.toISOString()}`);
    return;
  }
  if (args.skipBuild) log("--skip-build given, but there is no build (.next/BUILD_ID): building");
  log("npm run build");
  await runChildProcessOrThrow({
    name: "npm run build",
    command: "npm",
    args: ["run", "build"],
    env,
    inheritOutput: true,
  });
}

async function deleteUserKeys(redis: Redis, userId: string): Promise<void> {
  const stream = redis.scanStream({ match: `*${userId}*`, count: 500 });
  for await (const keys of stream as AsyncIterable<string[]>) if (keys.length > 0) await redis.del(...keys);
}

async function measure(args: TBenchArgs, cleanup: TCleanup, baseEnv: NodeJS.ProcessEnv): Promise<TMeasured> {
  const baseDatabaseUrl = baseEnv.DATABASE_URL as string;
  const redisUrl = baseEnv.REDIS_URL as string;
  const secrets = {
    AUTH_SECRET: randomBytes(32).toString("base64"),
    ENCRYPTION_KEY: `bench:${randomBytes(32).toString("base64")}`,
  };

  await buildUnlessSkipped(args, { ...baseEnv, ...secrets });

  const database = await createBenchDatabase({ baseUrl: baseDatabaseUrl, env: baseEnv });
  cleanup.add(`drop database ${database.name}`, database.drop);
  log(`database ${database.name} created and migrated`);

  const backend = await startBenchBackend({ env: baseEnv });
  cleanup.add("stop the demo backend", () => backend.child.stop());
  log(`demo backend at ${backend.mcpUrl}`);

  const appPort = await findFreePort();
  const appUrl = `http://localhost:${appPort}`;
  const appEnv: NodeJS.ProcessEnv = {
    ...baseEnv,
    ...secrets,
    APP_URL: appUrl,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    // REDIS_URL is the store measured; Upstash settings from a .env must not take precedence.
    UPSTASH_REDIS_REST_URL: "",
    UPSTASH_REDIS_REST_TOKEN: "",
    ENCRYPTION_PREVIOUS_KEYS: "",
    OUTBOUND_ALLOWED_PRIVATE_HOSTS: `localhost:${new URL(backend.mcpUrl).port}`,
    BENCH_FLOOR_ROUTE: "1",
    BENCH_FLOOR_TARGET_URL: backend.mcpUrl,
    // One run sends tens of thousands of /mcp requests, far past the default 1000 an hour. Raising the
    // limit (not switching it off) keeps its cost, one Redis INCR per request, in what is measured.
    RATE_LIMIT_MCP_REQUEST: BENCH_MCP_REQUEST_LIMIT,
    LOG_LEVEL: "warn",
  };
  // The bench process seeds rows and times auth decisions as the app: same database, keys and URL.
  Object.assign(process.env, appEnv);
  resetEnvCache();
  cleanup.add("disconnect from the database", () => getDb().$disconnect());
  cleanup.add("close the app's Redis store", () => getRedis().close());

  const seed = await seedBench({ backend });
  log(`seeded user ${seed.userId}, server ${seed.serverSlug}, instance ${seed.instanceId}`);

  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  cleanup.add("close the bench's Redis connection", () => redis.quit());
  cleanup.add("delete the bench user's Redis keys", () => deleteUserKeys(redis, seed.userId));
  // Its rate-limit count is keyed by a hash of the user id, which the pattern above cannot find.
  cleanup.add("delete the bench user's /mcp rate-limit count", () =>
    resetRateLimit("mcpRequest", seed.userId),
  );

  const app = startChildProcess({
    name: "next start",
    command: path.join("node_modules", ".bin", "next"),
    args: ["start", "--port", String(appPort)],
    env: appEnv,
  });
  cleanup.add("stop next start", () => app.stop());
  await waitForApp({ appUrl, child: app });
  log(`next start at ${appUrl}`);

  const sessions = new Map<TBenchTarget, TMcpSession>();
  const open = async (target: TBenchTarget, url: string, accessToken: string) => {
    const session = await openMcpSession({ label: target, url, accessToken });
    cleanup.add(`end the ${target} session`, () => closeMcpSession(session));
    sessions.set(target, session);
    return session;
  };
  const direct = await open("direct", backend.mcpUrl, seed.backendAccessToken);
  // One note, so every target's search answers the same non-empty result (the account is shared).
  await callMcpTool({
    session: direct,
    name: "create_note",
    arguments: { title: "Bench note", body: "The note every bench request finds." },
  });
  if (args.targets.includes("floor")) await open("floor", `${appUrl}/bench/floor`, seed.backendAccessToken);
  let tumikiToken = { token: "", expiresAt: 0 };
  const freshTumikiToken = async (neededMs: number) => {
    if (tumikiToken.expiresAt - Date.now() < neededMs + TOKEN_MARGIN_MS)
      tumikiToken = await seed.issueTumikiToken();
    for (const target of ["tumiki", "tumiki-2026"] as const) {
      const session = sessions.get(target);
      if (session) session.headers.authorization = `Bearer ${tumikiToken.token}`;
    }
    return tumikiToken.token;
  };
  if (args.targets.includes("tumiki")) {
    await open("tumiki", seed.instanceUrl, await freshTumikiToken(0));
  }
  if (args.targets.includes("tumiki-2026")) {
    sessions.set(
      "tumiki-2026",
      modernMcpTarget({
        label: "tumiki-2026",
        url: seed.instanceUrl,
        accessToken: await freshTumikiToken(0),
        toolName: BENCH_TOOL.name,
      }),
    );
  }
  for (const target of args.targets) {
    const session = sessions.get(target) as TMcpSession;
    for (let i = 0; i < WARM_CALLS; i++) await callMcpTool({ session, ...BENCH_TOOL });
  }
  log(`sessions open and warm: ${args.targets.join(", ")}`);

  const runs: TBenchRun[] = [];
  const runMs = (args.warmupSeconds + args.durationSeconds) * 1000;
  for (const connections of CONCURRENCY_LEVELS) {
    for (const target of args.targets) {
      if (target === "tumiki" || target === "tumiki-2026") await freshTumikiToken(runMs);
      const session = sessions.get(target) as TMcpSession;
      await runLoad({ session, connections, durationSeconds: args.warmupSeconds });
      const stats = await runLoad({ session, connections, durationSeconds: args.durationSeconds });
      runs.push({ target, stats });
      log(
        `c=${connections} ${target}: ${stats.responses} responses, ${stats.requestsPerSecond.toFixed(0)} req/s, ` +
          `p50 ${stats.latencyMs.p50.toFixed(2)} ms, p95 ${stats.latencyMs.p95.toFixed(2)} ms` +
          (stats.non2xx + stats.errors + stats.failedResults > 0 ? " (with failures)" : ""),
      );
    }
  }

  let authDecision: TAuthDecisionStats | null = null;
  if (args.targets.includes("tumiki")) {
    log(`timing ${args.iterations} auth decisions in-process`);
    authDecision = await measureAuthDecision({
      instanceUrl: seed.instanceUrl,
      instanceId: seed.instanceId,
      serverId: seed.serverId,
      serverSlug: seed.serverSlug,
      accessToken: await freshTumikiToken(60_000),
      iterations: args.iterations,
    });
  }
  return { runs, authDecision };
}

async function main(): Promise<void> {
  let args: TBenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`[bench] ${error instanceof Error ? error.message : error}\n${BENCH_USAGE}`);
    process.exit(1);
  }
  // Like `npm start`, a developer's .env counts; variables already set win.
  loadDotenv({ quiet: true });
  const missing = ["DATABASE_URL", "REDIS_URL"].filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(
      `[bench] ${missing.join(" and ")} must be set: the bench measures Tumiki on a real PostgreSQL ` +
        `(it creates and drops a database of its own there) and a real Redis, e.g.\n` +
        "  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench",
    );
    process.exit(1);
  }

  const cleanup = createCleanup();
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg();
  const [oneMinuteLoad = 0] = loadAverageAtStart;
  if (oneMinuteLoad > os.cpus().length / 2) {
    log(
      `note: load average ${oneMinuteLoad.toFixed(1)} on ${os.cpus().length} CPUs before the bench: ` +
        "other work on this machine competes with the servers measured, so figures will be noisy",
    );
  }
  process.on("exit", killAllChildProcessesNow);
  let interrupted = false;
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      // A terminal's Ctrl-C reaches npm, tsx and this process at once, and tsx may relay it again:
      // only a signal well after the first means "stop now, skip the cleanup".
      if (Date.now() - firstSignalAt < FORCE_AFTER_MS) return;
      killAllChildProcessesNow();
      process.exit(130);
    }
    interrupted = true;
    firstSignalAt = Date.now();
    console.error(`\n[bench] ${signal}: cleaning up (again to force)`);
    void cleanup.run().finally(() => process.exit(130));
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);

  let measured: TMeasured;
  try {
    measured = await measure(args, cleanup, { ...process.env });
  } catch (error) {
    if (!interrupted) console.error("[bench] failed:", error instanceof Error ? error.message : error);
    await cleanup.run();
    process.exit(interrupted ? 130 : 1);
  }
  await cleanup.run();
  log("cleaned up: processes stopped, database dropped");

  const summary = summarizeBench(measured);
  reportBench({ args, startedAt, loadAverageAtStart, ...measured, summary });
  process.exit(summary.failures.length > 0 ? 1 : 0);
}

void main();
