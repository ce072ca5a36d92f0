import { getRedis, type RedisStore } from "../redis";
import { getRateLimitPolicy } from "./get-rate-limit-policy";
import { hashRateLimitIdentifier, rateLimitKeyPrefix, windowMs } from "./rate-limit-keys";
import type { RateLimitPolicy, RateLimitPolicyName } from "./rate-limit-policies";

/**
 * Forgets what `identifier` has spent of the policy in the current window (e.g. a sign-in's failure
 * count once the password proved right). Deleting the window's key is the whole reset on every store
 * (Redis, Upstash, memory): the fixed-window check starts a missing key at one. A check that straddles
 * a window boundary may leave the previous window's key, which no later check reads. Throws when the
 * store fails; callers decide whether that matters. `policy` and `store` exist for tests.
 */
export async function resetRateLimit(
  policyName: RateLimitPolicyName,
  identifier: string,
  options: { policy?: RateLimitPolicy; store?: RedisStore } = {},
): Promise<void> {
  const policy = options.policy ?? getRateLimitPolicy(policyName);
  const store = options.store ?? getRedis();
  const bucket = Math.floor(Date.now() / windowMs(policy));
  await store.del(`${rateLimitKeyPrefix(policy)}:${hashRateLimitIdentifier(identifier)}:${bucket}`);
}
