import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEnv } from "../env";
import { AppError, RateLimitError } from "../errors";
import type { RedisKind, RedisStore } from "../redis";
import { createIoredisStore } from "../redis/create-ioredis-store";
import { createMemoryStore } from "../redis/create-memory-store";
import { createUpstashStore } from "../redis/create-upstash-store";
import { startUpstashStandin, type UpstashStandin } from "../testing/upstash-rest-standin";
import { assertRateLimit } from "./assert-rate-limit";
import { rateLimitHeaders } from "./rate-limit-headers";
import { RATE_LIMIT_POLICIES, type RateLimitPolicy, type RateLimitPolicyName } from "./rate-limit-policies";

// assertRateLimit through @upstash/ratelimit on a real Redis 7.0 (its scripts' `#!lua flags` line
// stripped by the adapter), through the Upstash client and REST stand-in, and on the memory limiter.
// Hour-long windows keep a window boundary from falling inside a test.

const redisUrl = getEnv().REDIS_URL;
if (!redisUrl) throw new Error("*.redis.test.ts needs REDIS_URL (e.g. redis://127.0.0.1:6379)");

const token = randomBytes(16).toString("hex");
let standin: UpstashStandin;
const stores = {} as Record<RedisKind, RedisStore>;

beforeAll(async () => {
  standin = await startUpstashStandin({ redisUrl, token });
  stores.memory = createMemoryStore();
  stores.redis = createIoredisStore({ url: redisUrl });
  stores.upstash = createUpstashStore({ url: standin.url, token });
});

afterAll(async () => {
  await Promise.all(Object.values(stores).map((store) => store.close()));
  await standin?.close();
});

const testPolicy = (base: RateLimitPolicy, attempts: number): RateLimitPolicy => ({
  ...base,
  attempts,
  window: "1 h",
  keyPrefix: `test-${randomUUID()}`,
});

describe.each(["memory", "redis", "upstash"] as const)("assertRateLimit on %s", (kind) => {
  it("allows N calls with falling RateLimit-Remaining, then throws RateLimitError on call N+1", async () => {
    const store = stores[kind];
    const policy = testPolicy(RATE_LIMIT_POLICIES.signIn, 3);
    const identifier = `198.51.100.7:${randomUUID()}@example.com`;

    for (const remaining of [2, 1, 0]) {
      const decision = await assertRateLimit("signIn", identifier, { policy, store });
      expect(decision).toMatchObject({ limit: 3, remaining });
      const headers = rateLimitHeaders(decision);
      expect(headers["RateLimit-Limit"]).toBe("3");
      expect(headers["RateLimit-Remaining"]).toBe(String(remaining));
      const reset = Number(headers["RateLimit-Reset"]);
      expect(reset).toBeGreaterThanOrEqual(0);
      expect(reset).toBeLessThanOrEqual(3600);
    }

    const error = await assertRateLimit("signIn", identifier, { policy, store }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    const limited = error as RateLimitError;
    expect(limited.code).toBe("RATE_LIMITED");
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(3600);
    const headers = rateLimitHeaders(limited.decision, limited.retryAfterSeconds);
    expect(headers).toMatchObject({ "RateLimit-Limit": "3", "RateLimit-Remaining": "0" });
    expect(Number(headers["Retry-After"])).toBe(limited.retryAfterSeconds);
    expect(Math.abs(Number(headers["RateLimit-Reset"]) - limited.retryAfterSeconds)).toBeLessThanOrEqual(1);

    // Still refused: being limited does not reset the count.
    await expect(assertRateLimit("signIn", identifier, { policy, store })).rejects.toBeInstanceOf(
      RateLimitError,
    );
  });

  it("counts different identifiers independently", async () => {
    const store = stores[kind];
    const policy = testPolicy(RATE_LIMIT_POLICIES.signUp, 1);
    const first = `203.0.113.${Math.floor(Math.random() * 250)}-${randomUUID()}`;
    await assertRateLimit("signUp", first, { policy, store });
    await expect(assertRateLimit("signUp", first, { policy, store })).rejects.toBeInstanceOf(RateLimitError);
    await expect(assertRateLimit("signUp", `${first}-other`, { policy, store })).resolves.toMatchObject({
      remaining: 0,
    });
  });

  it("keeps policies apart: the same identifier has its own count per policy", async () => {
    const store = stores[kind];
    const identifier = randomUUID();
    const a = testPolicy(RATE_LIMIT_POLICIES.oauthToken, 1);
    const b = testPolicy(RATE_LIMIT_POLICIES.oauthToken, 1);
    await assertRateLimit("oauthToken", identifier, { policy: a, store });
    await expect(assertRateLimit("oauthToken", identifier, { policy: b, store })).resolves.toBeDefined();
  });

  it("enforces a production policy as written (oauthRegister: 10 per hour)", async () => {
    const store = stores[kind];
    const identifier = `test-ip-${randomUUID()}`;
    for (let i = 0; i < RATE_LIMIT_POLICIES.oauthRegister.attempts; i++) {
      await assertRateLimit("oauthRegister", identifier, { store });
    }
    await expect(assertRateLimit("oauthRegister", identifier, { store })).rejects.toBeInstanceOf(
      RateLimitError,
    );
  });
});

describe("assertRateLimit keeps identifiers out of Redis keys", () => {
  it("stores only a keyed hash of the identifier", async () => {
    const inspect = createIoredisStore({ url: redisUrl });
    const raw = new Redis(redisUrl);
    try {
      const policy = testPolicy(RATE_LIMIT_POLICIES.signIn, 5);
      const email = `${randomUUID()}@example.com`;
      await assertRateLimit("signIn", `192.0.2.1:${email}`, { policy, store: inspect });
      const keys = await raw.keys(`ratelimit:${policy.keyPrefix}:*`);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(new RegExp(`^ratelimit:${policy.keyPrefix}:[0-9a-f]{64}:\\d+$`));
      expect(keys[0]).not.toContain(email);
      const unkeyed = createHash("sha256").update(`192.0.2.1:${email}`).digest("hex");
      expect(keys[0]).not.toContain(unkeyed);
      await raw.del(...keys);
    } finally {
      await inspect.close();
      await raw.quit();
    }
  });
});

describe.each([
  ["redis", () => createIoredisStore({ url: "redis://127.0.0.1:1" })],
  ["upstash", () => createUpstashStore({ url: "http://127.0.0.1:1", token })],
] as const)("assertRateLimit with %s unreachable", (_kind, createUnreachable) => {
  let store: RedisStore;
  beforeAll(() => {
    store = createUnreachable();
  });
  afterAll(async () => {
    await store.close();
  });

  // Every policy in the table, so a new one cannot slip in untested.
  const policiesThat = (mode: "open" | "closed") =>
    (Object.keys(RATE_LIMIT_POLICIES) as RateLimitPolicyName[]).filter(
      (name) => RATE_LIMIT_POLICIES[name].onRedisFailure === mode,
    );

  it.each(policiesThat("open"))("lets the request through for the fail-open policy %s", async (name) => {
    const decision = await assertRateLimit(name, "user-1", { store });
    expect(decision.limit).toBe(RATE_LIMIT_POLICIES[name].attempts);
    expect(decision.resetAt).toBeGreaterThan(Date.now());
  }, 10_000);

  it.each(policiesThat("closed"))("refuses with UNAVAILABLE for the fail-closed policy %s", async (name) => {
    const error = await assertRateLimit(name, "198.51.100.9", { store }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).not.toBeInstanceOf(RateLimitError);
    expect((error as AppError).code).toBe("UNAVAILABLE");
    expect((error as AppError).userMessage).not.toMatch(/redis/i);
  }, 10_000);
});
