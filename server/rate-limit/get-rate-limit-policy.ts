import { getEnv, type TEnv } from "../env";
import { RATE_LIMIT_POLICIES, type RateLimitPolicy, type RateLimitPolicyName } from "./rate-limit-policies";

// The policy in force: the table's row with the numbers an operator set in RATE_LIMIT_<POLICY>. One
// object per policy and environment, so the limiter built for it is reused (assert-rate-limit.ts).

const resolved = new WeakMap<TEnv, Map<RateLimitPolicyName, RateLimitPolicy>>();

export function getRateLimitPolicy(name: RateLimitPolicyName): RateLimitPolicy {
  const env = getEnv();
  let byName = resolved.get(env);
  if (!byName) {
    byName = new Map();
    resolved.set(env, byName);
  }
  let policy = byName.get(name);
  if (!policy) {
    policy = { ...RATE_LIMIT_POLICIES[name], ...env.RATE_LIMITS[name] };
    byName.set(name, policy);
  }
  return policy;
}
