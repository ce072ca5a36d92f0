import { z } from "zod";
import { getDatabaseTarget, getDb } from "../db";
import { getLogger } from "../logger";
import { getRedis } from "../redis";

// What GET /api/health reports: whether the database and Redis answer, and which kind each is. No
// URLs, hosts or error messages: those can carry credentials, and a load balancer needs none of them.

const ZComponentHealth = z.object({
  status: z.enum(["ok", "down"]),
  kind: z.string(),
  latencyMs: z.number().int().min(0),
});

type ComponentHealth = z.infer<typeof ZComponentHealth>;

export const ZHealth = z.object({
  status: z.enum(["ok", "degraded"]),
  database: ZComponentHealth,
  redis: ZComponentHealth,
});

export type Health = z.infer<typeof ZHealth>;

const CHECK_TIMEOUT_MS = 2_000;

async function probe(kind: string, name: string, check: () => Promise<unknown>): Promise<ComponentHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} health check timed out`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: "ok", kind, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    getLogger().warn({ err: error, component: name }, "health check failed");
    return { status: "down", kind, latencyMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(): Promise<Health> {
  const redis = getRedis();
  const [database, redisHealth] = await Promise.all([
    probe(getDatabaseTarget().kind, "database", () => getDb().$queryRawUnsafe("SELECT 1")),
    probe(redis.kind, "redis", () => redis.ping()),
  ]);
  return {
    status: database.status === "ok" && redisHealth.status === "ok" ? "ok" : "degraded",
    database,
    redis: redisHealth,
  };
}
