import { Ratelimit } from "@upstash/ratelimit";
import { AppError, type RateLimitDecision, RateLimitError } from "../errors";
import { getLogger } from "../logger";
import { rateLimitRefusals } from "../observability/tumiki-metrics";
import { getRedis, type LuaEvaluator, type RedisStore } from "../redis";
import { getRateLimitPolicy } from "./get-rate-limit-policy";
import { type LimitResult, limitInMemory } from "./limit-in-memory";
import { hashRateLimitIdentifier, rateLimitKeyPrefix, windowMs } from "./rate-limit-keys";
import type { RateLimitPolicy, RateLimitPolicyName } from "./rate-limit-policies";

// The only enforcement point of the rate limits (DESIGN.md convention 8).
//
// Fixed window, not @upstash/ratelimit's sliding window: the sliding window weighs the previous
// window's count into the current one, so at the `reset` it reports a client can still be refused,
// and the Retry-After we send would be a lie that AI clients obey and then hit again. A fixed window
// makes RateLimit-Reset and Retry-After exact, costs one INCR per check, and is reproduced exactly by
// the in-memory limiter. Its weakness, a burst of up to 2× `attempts` across a window boundary, is
// acceptable for every policy in the table.
//
// On Redis failure (an error, or no answer within LIMIT_TIMEOUT_MS) the policy decides: fail open
// logs and lets the request through, fail closed answers 503.

const LIMIT_TIMEOUT_MS = 3_000;

// One Ratelimit per store and set of numbers, reused by every call (the library is built to be created
// once). Keyed by value, not by policy object: a per-user limit is a copy of its policy with other
// `attempts`, and only a handful of distinct limits exist at a time.
const limiters = new WeakMap<RedisStore, Map<string, Ratelimit>>();

const getLimiter = (store: RedisStore, lua: LuaEvaluator, policy: RateLimitPolicy): Ratelimit => {
  let byPolicy = limiters.get(store);
  if (!byPolicy) {
    byPolicy = new Map();
    limiters.set(store, byPolicy);
  }
  const id = `${policy.keyPrefix}|${policy.attempts}|${policy.window}`;
  let limiter = byPolicy.get(id);
  if (!limiter) {
    limiter = new Ratelimit({
      // Typed as the whole @upstash/redis client, but with dynamic limits, analytics and deny lists
      // off the library only calls eval/evalsha (`safeEval`), which LuaEvaluator provides for both
      // the Upstash client and the ioredis adapter.
      redis: lua as unknown as ConstructorParameters<typeof Ratelimit>[0]["redis"],
      limiter: Ratelimit.fixedWindow(policy.attempts, policy.window),
      prefix: rateLimitKeyPrefix(policy),
      timeout: LIMIT_TIMEOUT_MS,
      // The library's in-process block list never shrinks for identifiers that stop calling; every
      // check goes to Redis instead, which also keeps semantics identical to the memory limiter.
      ephemeralCache: false,
      analytics: false,
      enableTelemetry: false,
    });
    byPolicy.set(id, limiter);
  }
  return limiter;
};

const limit = async (
  store: RedisStore,
  policy: RateLimitPolicy,
  identifier: string,
): Promise<LimitResult> => {
  if (!store.lua) {
    return limitInMemory({
      store,
      prefix: rateLimitKeyPrefix(policy),
      identifier,
      attempts: policy.attempts,
      windowMs: windowMs(policy),
    });
  }
  const result = await getLimiter(store, store.lua, policy).limit(identifier);
  // On its own timeout the library answers "success"; whether that is acceptable is the policy's call.
  if (result.reason === "timeout") throw new Error(`no answer from Redis within ${LIMIT_TIMEOUT_MS} ms`);
  return {
    success: result.success,
    decision: { limit: result.limit, remaining: result.remaining, resetAt: result.reset },
  };
};

/**
 * Counts one request of `identifier` against the policy in force (getRateLimitPolicy). Resolves the
 * decision (for RateLimit-* headers) when allowed; throws RateLimitError over the limit, or AppError
 * UNAVAILABLE when Redis fails and the policy fails closed. `attempts` replaces the policy's limit for
 * this identifier (an operator's per-user /mcp limit); the count is the same, so a changed limit
 * applies to what was already spent in the window. `policy` and `store` exist for tests.
 */
export async function assertRateLimit(
  policyName: RateLimitPolicyName,
  identifier: string,
  options: { attempts?: number; policy?: RateLimitPolicy; store?: RedisStore } = {},
): Promise<RateLimitDecision> {
  const base = options.policy ?? getRateLimitPolicy(policyName);
  const policy = options.attempts === undefined ? base : { ...base, attempts: options.attempts };
  const store = options.store ?? getRedis();

  let result: LimitResult;
  try {
    result = await limit(store, policy, hashRateLimitIdentifier(identifier));
  } catch (error) {
    // Never log the identifier: it may be an email or an IP.
    const context = { err: error, rateLimitPolicy: policyName, redis: store.kind };
    if (policy.onRedisFailure === "open") {
      getLogger().warn(context, "rate limit could not be checked; request allowed (policy fails open)");
      const period = windowMs(policy);
      return {
        limit: policy.attempts,
        remaining: policy.attempts,
        resetAt: (Math.floor(Date.now() / period) + 1) * period,
      };
    }
    getLogger().error(context, "rate limit could not be checked; request refused (policy fails closed)");
    throw new AppError("UNAVAILABLE", {
      message: `rate limit "${policyName}" could not be checked`,
      userMessage: "Tumiki cannot take this request right now. Try again in a minute.",
      cause: error,
    });
  }

  if (!result.success) {
    rateLimitRefusals.inc({ policy: policyName });
    throw new RateLimitError(policyName, result.decision);
  }
  return result.decision;
}
