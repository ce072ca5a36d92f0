import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError, RateLimitError } from "../errors";
import type { RedisStore } from "../redis";
import { createMemoryStore } from "../redis/create-memory-store";
import { assertRateLimit } from "./assert-rate-limit";
import { limitInMemory } from "./limit-in-memory";
import { RATE_LIMIT_POLICIES } from "./rate-limit-policies";

const HOUR = 3_600_000;
// 10 minutes into an hour-aligned window, so the window resets 50 minutes later.
const NOW = Date.UTC(2026, 0, 1, 12, 10, 0);

describe("limitInMemory (fixed window over the memory store)", () => {
  let store: RedisStore;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    store = createMemoryStore();
  });
  afterEach(async () => {
    await store.close();
    vi.useRealTimers();
  });

  const check = (identifier: string) =>
    limitInMemory({ store, prefix: "ratelimit:test", identifier, attempts: 3, windowMs: HOUR });

  it("allows `attempts` calls, refuses the next, and reports the window end", async () => {
    const resetAt = Date.UTC(2026, 0, 1, 13, 0, 0);
    expect(await check("a")).toEqual({ success: true, decision: { limit: 3, remaining: 2, resetAt } });
    expect((await check("a")).decision.remaining).toBe(1);
    expect(await check("a")).toEqual({ success: true, decision: { limit: 3, remaining: 0, resetAt } });
    expect(await check("a")).toEqual({ success: false, decision: { limit: 3, remaining: 0, resetAt } });
  });

  it("counts identifiers independently", async () => {
    for (let i = 0; i < 4; i++) await check("a");
    expect((await check("b")).success).toBe(true);
  });

  it("starts afresh in the next window, and the old bucket expires", async () => {
    for (let i = 0; i < 4; i++) await check("a");
    const oldKey = `ratelimit:test:a:${Math.floor(NOW / HOUR)}`;
    expect(await store.pttl(oldKey)).toBe(HOUR);
    vi.setSystemTime(Date.UTC(2026, 0, 1, 13, 0, 0));
    expect(await check("a")).toMatchObject({ success: true, decision: { remaining: 2 } });
    vi.setSystemTime(NOW + HOUR);
    expect(await store.get(oldKey)).toBeNull();
  });
});

describe("assertRateLimit on the memory store", () => {
  let store: RedisStore;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    store = createMemoryStore();
  });
  afterEach(async () => {
    await store.close();
    vi.useRealTimers();
  });

  it("enforces the production signUp policy: 5 per hour, then RateLimitError until the window ends", async () => {
    for (let i = 0; i < 5; i++) {
      await expect(assertRateLimit("signUp", "203.0.113.7", { store })).resolves.toMatchObject({
        limit: 5,
        remaining: 4 - i,
      });
    }
    const error = await assertRateLimit("signUp", "203.0.113.7", { store }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterSeconds).toBe(50 * 60);
    expect((error as RateLimitError).status).toBe(429);
  });

  it("keeps only a hash of the identifier in keys", async () => {
    const seen: string[] = [];
    const spying: RedisStore = {
      ...store,
      incr: (key) => {
        seen.push(key);
        return store.incr(key);
      },
    };
    await assertRateLimit("signIn", "198.51.100.1:alice@example.com", { store: spying });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^ratelimit:sign-in:[0-9a-f]{64}:\d+$/);
    expect(seen[0]).not.toContain("alice");
  });

  it("fails open or closed as the policy says when the store throws", async () => {
    const broken: RedisStore = {
      ...store,
      incr: () => Promise.reject(new Error("store down")),
    };
    await expect(assertRateLimit("mcpRequest", "user-1", { store: broken })).resolves.toEqual({
      limit: RATE_LIMIT_POLICIES.mcpRequest.attempts,
      remaining: RATE_LIMIT_POLICIES.mcpRequest.attempts,
      resetAt: Date.UTC(2026, 0, 1, 13, 0, 0),
    });
    const error = await assertRateLimit("oauthToken", "client-1", { store: broken }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).not.toBeInstanceOf(RateLimitError);
    expect((error as AppError).code).toBe("UNAVAILABLE");
    expect((error as AppError).status).toBe(503);
  });
});
