import { createHmac } from "node:crypto";
import { getEnv } from "../env";
import type { RateLimitPolicy } from "./rate-limit-policies";

// Where a policy's counts live, shared by the check (assert-rate-limit.ts) and the reset
// (reset-rate-limit.ts): `ratelimit:<keyPrefix>:<HMAC of the identifier>:<window number>`, the fixed
// window key of @upstash/ratelimit, which limit-in-memory.ts reproduces.

const KEY_NAMESPACE = "ratelimit";
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** A policy's window in milliseconds; windows start at multiples of it since the Unix epoch. */
export const windowMs = (policy: RateLimitPolicy): number => {
  const [amount, unit] = policy.window.split(" ") as [string, keyof typeof UNIT_MS];
  return Number(amount) * UNIT_MS[unit];
};

export const rateLimitKeyPrefix = (policy: RateLimitPolicy): string => `${KEY_NAMESPACE}:${policy.keyPrefix}`;

// Identifiers can be emails or IPs: Redis keys carry only a keyed hash (HMAC with AUTH_SECRET), so
// someone who can list Redis keys cannot confirm an address by hashing a list of known emails.
export const hashRateLimitIdentifier = (identifier: string): string =>
  createHmac("sha256", getEnv().AUTH_SECRET).update(identifier).digest("hex");
