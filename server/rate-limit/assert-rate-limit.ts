import { createHmac } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { getEnv } from "../env";
import { AppError, type RateLimitDecision, RateLimitError } from "../errors";
import { getLogger } from "../logger";
import { getRedis, type LuaEvaluator, type RedisStore } from "../redis";
import { type LimitResult, limitInMemory } from "./limit-in-memory";
import { RATE_LIMIT_POLICIES, type RateLimitPolicy, type RateLimitPolicyName } from "./rate-limit-policies";

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
const KEY_NAMESPACE = "ratelimit";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** A policy's window in milliseconds; windows start at multiples of it since the Unix epoch. */
export const windowMs = (policy: RateLimitPolicy): number => {
  const [amount, unit] = policy.window.split(" ") as [string, keyof typeof UNIT_MS];
  return Number(amount) * UNIT_MS[unit];
};

// Identifiers can be emails or IPs: Redis keys carry only a keyed hash (HMAC with AUTH_SECRET), so
// someone who can list Redis keys cannot confirm an address by hashing a list of known emails.
const hashIdentifier = (identifier: string) =>
  createHmac("sha256", getEnv().AUTH_SECRET).update(identifier).digest("hex");

const keyPrefix = (policy: RateLimitPolicy) => `${KEY_NAMESPACE}:${policy.keyPrefix}`;

// One Ratelimit per store and policy, reused by every call (the library is built to be created once).
const limiters = new WeakMap<RedisStore, WeakMap<RateLimitPolicy, Ratelimit>>();

const getLimiter = (store: RedisStore, lua: LuaEvaluator, policy: RateLimitPolicy): Ratelimit => {
  let byPolicy = limiters.get(store);
  if (!byPolicy) {
    byPolicy = new WeakMap();
    limiters.set(store, byPolicy);
  }
  let limiter = byPolicy.get(policy);
  if (!limiter) {
    limiter = new Ratelimit({
      // Typed as the whole @upstash/redis client, but with dynamic limits, analytics and deny lists
      // off the library only calls eval/evalsha (`safeEval`), which LuaEvaluator provides for both
      // the Upstash client and the ioredis adapter.
      redis: lua as unknown as ConstructorParameters<typeof Ratelimit>[0]["redis"],
      limiter: Ratelimit.fixedWindow(policy.attempts, policy.window),
      prefix: keyPrefix(policy),
      timeout: LIMIT_TIMEOUT_MS,
      // The library's in-process block list never shrinks for identifiers that stop calling; every
      // check goes to Redis instead, which also keeps semantics identical to the memory limiter.
      ephemeralCache: false,
      analytics: false,
      enableTelemetry: false,
    });
    byPolicy.set(policy, limiter);
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
      prefix: keyPrefix(policy),
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
 * Counts one request of `identifier` against the policy. Resolves the decision (for RateLimit-*
 * headers) when allowed; throws RateLimitError over the limit, or AppError UNAVAILABLE when Redis
 * fails and the policy fails closed. `override` exists for tests (a small policy, a given store).
 */
export async function assertRateLimit(
  policyName: RateLimitPolicyName,
  identifier: string,
  override: { policy?: RateLimitPolicy; store?: RedisStore } = {},
): Promise<RateLimitDecision> {
  const policy: RateLimitPolicy = override.policy ?? RATE_LIMIT_POLICIES[policyName];
  const store = override.store ?? getRedis();

  let result: LimitResult;
  try {
    result = await limit(store, policy, hashIdentifier(identifier));
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

  if (!result.success) throw new RateLimitError(policyName, result.decision);
  return result.decision;
}
