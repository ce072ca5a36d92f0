import { describe, expect, it } from "vitest";
import { RateLimitError } from "../errors";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import { createMemoryStore } from "../redis/create-memory-store";
import { readMetricValue } from "../testing/read-metric-value";

// Every refusal of a rate-limit policy is counted under the policy's name, and nothing else is.

describe("tumiki_rate_limit_refusals_total", () => {
  it("counts refusals by policy, not allowed requests", async () => {
    const store = createMemoryStore();
    const policy = {
      attempts: 2,
      window: "1 h",
      keyPrefix: "metrics-test",
      onRedisFailure: "closed",
      why: "test",
    } as const;
    const before = await readMetricValue("tumiki_rate_limit_refusals_total", { policy: "oauthRegister" });
    await assertRateLimit("oauthRegister", "203.0.113.9", { policy, store });
    await assertRateLimit("oauthRegister", "203.0.113.9", { policy, store });
    expect(await readMetricValue("tumiki_rate_limit_refusals_total", { policy: "oauthRegister" })).toBe(
      before,
    );
    for (let i = 0; i < 2; i += 1) {
      await expect(assertRateLimit("oauthRegister", "203.0.113.9", { policy, store })).rejects.toBeInstanceOf(
        RateLimitError,
      );
    }
    expect(await readMetricValue("tumiki_rate_limit_refusals_total", { policy: "oauthRegister" })).toBe(
      before + 2,
    );
    await store.close();
  });
});
