import { z } from "zod";
import { RATE_LIMIT_POLICIES, type RateLimitPolicyName, type RateLimitWindow } from "./rate-limit-policies";

// Every policy's numbers can be overridden by one variable named after the policy:
// RATE_LIMIT_<POLICY IN UPPER SNAKE CASE>="<attempts>/<window>", e.g. RATE_LIMIT_MCP_REQUEST="5000/1h".
// The names are derived from the policy table, so a new policy has its variable from the start (and a
// test fails until .env.example documents it). The table stays the source of the defaults and of why
// each limit exists; the key prefix and the Redis-failure mode are not configurable.

/** Above this a limit is no limit; Redis counters stay far from their 64-bit edge. */
export const RATE_LIMIT_MAX_ATTEMPTS = 1_000_000_000;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;
const MAX_WINDOW_SECONDS = 24 * 3600;
const SETTING = /^\s*(\d{1,10})\s*\/\s*(\d{1,6})\s*([smh])\s*$/;

export type TRateLimitSetting = { attempts: number; window: RateLimitWindow };
export type TRateLimitOverrides = Partial<Record<RateLimitPolicyName, TRateLimitSetting>>;

export const RATE_LIMIT_POLICY_NAMES = Object.keys(RATE_LIMIT_POLICIES) as RateLimitPolicyName[];

/** signInAccount → RATE_LIMIT_SIGN_IN_ACCOUNT */
export function rateLimitEnvName(name: RateLimitPolicyName): string {
  return `RATE_LIMIT_${name.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}

const ZRateLimitSetting = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z
    .string()
    .optional()
    .transform((value, ctx): TRateLimitSetting | undefined => {
      if (value === undefined) return undefined;
      const match = SETTING.exec(value);
      if (!match) {
        ctx.addIssue({
          code: "custom",
          message: 'expected "<attempts>/<window>", e.g. "5000/1h" or "10/15m"',
        });
        return z.NEVER;
      }
      const [, attempts, amount, unit] = match as unknown as [
        string,
        string,
        string,
        keyof typeof UNIT_SECONDS,
      ];
      const count = Number(attempts);
      if (count < 1 || count > RATE_LIMIT_MAX_ATTEMPTS) {
        ctx.addIssue({
          code: "custom",
          message: `attempts must be between 1 and ${RATE_LIMIT_MAX_ATTEMPTS}`,
        });
        return z.NEVER;
      }
      const seconds = Number(amount) * UNIT_SECONDS[unit];
      if (seconds < 1 || seconds > MAX_WINDOW_SECONDS) {
        ctx.addIssue({ code: "custom", message: "window must be between 1s and 24h" });
        return z.NEVER;
      }
      return { attempts: count, window: `${Number(amount)} ${unit}` };
    }),
);

/** The RATE_LIMIT_* variables of an environment, by policy; an issue's path names the variable. */
export const ZRateLimitEnv = z
  .object(
    Object.fromEntries(RATE_LIMIT_POLICY_NAMES.map((name) => [rateLimitEnvName(name), ZRateLimitSetting])),
  )
  .transform((variables): TRateLimitOverrides => {
    const overrides: TRateLimitOverrides = {};
    for (const name of RATE_LIMIT_POLICY_NAMES) {
      const setting = variables[rateLimitEnvName(name)] as TRateLimitSetting | undefined;
      if (setting) overrides[name] = setting;
    }
    return overrides;
  });
