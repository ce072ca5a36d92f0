import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEnv, resetEnvCache } from "../env";
import { RateLimitError } from "../errors";
import type { RedisKind, RedisStore } from "../redis";
import { createIoredisStore } from "../redis/create-ioredis-store";
import { createMemoryStore } from "../redis/create-memory-store";
import { createUpstashStore } from "../redis/create-upstash-store";
import { startUpstashStandin, type UpstashStandin } from "../testing/upstash-rest-standin";
import { assertRateLimit } from "./assert-rate-limit";
import { resetRateLimit } from "./reset-rate-limit";

// What an operator configures reaches enforcement: a RATE_LIMIT_<POLICY> variable and a per-identifier
// limit, through assertRateLimit on a real Redis 7 (Lua), on the Upstash client with its REST stand-in,
// and on the memory store; and resetRateLimit forgets an identifier's count on all three. Hour-long
// windows keep a boundary from falling inside a test.

const redisUrl = getEnv().REDIS_URL;
if (!redisUrl) throw new Error("*.redis.test.ts needs REDIS_URL (e.g. redis://127.0.0.1:6379)");

const token = randomBytes(16).toString("hex");
let standin: UpstashStandin;
const stores = {} as Record<RedisKind, RedisStore>;

beforeAll(async () => {
  // Production key prefixes with the overridden numbers; identifiers are random, so runs never meet.
  process.env.RATE_LIMIT_OAUTH_REGISTER = "3/1h";
  process.env.RATE_LIMIT_BACKEND_OUTBOUND = "2/1h";
  resetEnvCache();
  standin = await startUpstashStandin({ redisUrl, token });
  stores.memory = createMemoryStore();
  stores.redis = createIoredisStore({ url: redisUrl });
  stores.upstash = createUpstashStore({ url: standin.url, token });
});

afterAll(async () => {
  delete process.env.RATE_LIMIT_OAUTH_REGISTER;
  delete process.env.RATE_LIMIT_BACKEND_OUTBOUND;
  resetEnvCache();
  await Promise.all(Object.values(stores).map((store) => store.close()));
  await standin?.close();
});

const spend = async (count: number, check: () => Promise<unknown>) => {
  for (let i = 0; i < count; i++) await check();
};

describe.each(["memory", "redis", "upstash"] as const)("configured limits on %s", (kind) => {
  it("enforces RATE_LIMIT_OAUTH_REGISTER=3/1h instead of the table's 10", async () => {
    const store = stores[kind];
    const identifier = `203.0.113.1-${randomUUID()}`;
    for (const remaining of [2, 1, 0]) {
      await expect(assertRateLimit("oauthRegister", identifier, { store })).resolves.toMatchObject({
        limit: 3,
        remaining,
      });
    }
    const error = await assertRateLimit("oauthRegister", identifier, { store }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).decision.limit).toBe(3);
  });

  it("gives one identifier its own limit (the per-user /mcp override) on the same count", async () => {
    const store = stores[kind];
    const generous = `user:${randomUUID()}`;
    const ordinary = `user:${randomUUID()}`;
    await spend(5, () => assertRateLimit("backendOutbound", generous, { store, attempts: 5 }));
    await expect(assertRateLimit("backendOutbound", generous, { store, attempts: 5 })).rejects.toBeInstanceOf(
      RateLimitError,
    );
    // Lowered below what was already spent in the window: refused at once.
    await expect(assertRateLimit("backendOutbound", generous, { store, attempts: 2 })).rejects.toBeInstanceOf(
      RateLimitError,
    );
    // Everyone else keeps the configured 2.
    await spend(2, () => assertRateLimit("backendOutbound", ordinary, { store }));
    await expect(assertRateLimit("backendOutbound", ordinary, { store })).rejects.toBeInstanceOf(
      RateLimitError,
    );
  });

  it("resetRateLimit forgets one identifier's count and nobody else's", async () => {
    const store = stores[kind];
    const forgiven = `198.51.100.2-${randomUUID()}`;
    const other = `198.51.100.3-${randomUUID()}`;
    await spend(3, () => assertRateLimit("oauthRegister", forgiven, { store }));
    await spend(3, () => assertRateLimit("oauthRegister", other, { store }));
    await expect(assertRateLimit("oauthRegister", forgiven, { store })).rejects.toBeInstanceOf(
      RateLimitError,
    );

    await resetRateLimit("oauthRegister", forgiven, { store });

    await expect(assertRateLimit("oauthRegister", forgiven, { store })).resolves.toMatchObject({
      remaining: 2,
    });
    await expect(assertRateLimit("oauthRegister", other, { store })).rejects.toBeInstanceOf(RateLimitError);
    // Resetting an identifier that has no count is no error.
    await expect(
      resetRateLimit("oauthRegister", `never-${randomUUID()}`, { store }),
    ).resolves.toBeUndefined();
  });
});
