import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import type { RedisStore } from "../redis";
import { createMemoryStore } from "../redis/create-memory-store";
import { assertRateLimit } from "./assert-rate-limit";

// @upstash/ratelimit answers `success: true` when Redis does not answer within its timeout. That must
// not let a fail-closed policy through: a Redis that hangs is a Redis failure like any other.

describe("assertRateLimit when Redis never answers", () => {
  let store: RedisStore;
  let evalCalls = 0;

  beforeEach(() => {
    vi.useFakeTimers();
    evalCalls = 0;
    const hang = () => {
      evalCalls += 1;
      return new Promise<never>(() => {});
    };
    store = { ...createMemoryStore(), kind: "redis", lua: { eval: hang, evalsha: hang } };
  });
  afterEach(async () => {
    await store.close();
    vi.useRealTimers();
  });

  it("refuses a fail-closed policy with UNAVAILABLE once the library times out", async () => {
    const outcome = assertRateLimit("oauthToken", "client-1", { store }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(3_000);
    const error = await outcome;
    expect(evalCalls).toBe(1);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("UNAVAILABLE");
  });

  it("lets a fail-open policy through once the library times out", async () => {
    const outcome = assertRateLimit("mcpRequest", "user-1", { store });
    await vi.advanceTimersByTimeAsync(3_000);
    await expect(outcome).resolves.toMatchObject({ limit: 1000 });
  });
});
