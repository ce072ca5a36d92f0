import { createHmac } from "node:crypto";
import type { Redis } from "ioredis";
import { windowMs } from "../../server/rate-limit/assert-rate-limit";
import { RATE_LIMIT_POLICIES } from "../../server/rate-limit/rate-limit-policies";

// /mcp allows a user 1000 requests an hour (policy mcpRequest), and one bench run sends tens of
// thousands. Rather than switching the limit off (which would also skip its cost and need a bench-only
// branch in production code), the bench starts the user's counter far below zero: every request still
// runs the real check (one Lua INCR in Redis) and is allowed. This writes the keys assert-rate-limit.ts
// uses (fixed window of @upstash/ratelimit: `ratelimit:<keyPrefix>:<HMAC of the user id>:<window>`),
// for the current window and the next in case the run crosses a window boundary. assertHeadroomUsed()
// proves the app counted on those very keys, so a change of that format fails the bench loudly instead
// of tripping 429s or silently measuring something else.

const HEADROOM = 1_000_000_000;
const SEEDED_VALUE = -HEADROOM;

export type TRateLimitHeadroom = {
  assertHeadroomUsed(): Promise<void>;
  release(): Promise<void>;
};

export async function grantRateLimitHeadroom(options: {
  redis: Redis;
  userId: string;
  authSecret: string;
}): Promise<TRateLimitHeadroom> {
  const policy = RATE_LIMIT_POLICIES.mcpRequest;
  const period = windowMs(policy);
  const identifier = createHmac("sha256", options.authSecret).update(options.userId).digest("hex");
  const window = Math.floor(Date.now() / period);
  const keys = [window, window + 1].map((w) => `ratelimit:${policy.keyPrefix}:${identifier}:${w}`);
  for (const key of keys) await options.redis.set(key, SEEDED_VALUE, "PX", period * 2);

  return {
    async assertHeadroomUsed() {
      const values = await options.redis.mget(...keys);
      const counted = values.reduce(
        (sum, value) => sum + (value === null ? 0 : Number(value) - SEEDED_VALUE),
        0,
      );
      if (!(counted > 0)) {
        throw new Error(
          "the app did not count requests on the rate-limit keys the bench prepared: the key format of " +
            "server/rate-limit/assert-rate-limit.ts changed, update scripts/bench/grant-rate-limit-headroom.ts",
        );
      }
    },
    async release() {
      await options.redis.del(...keys);
    },
  };
}
