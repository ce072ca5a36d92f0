import { windowMs } from "../rate-limit/rate-limit-keys";
import type { RateLimitPolicy } from "../rate-limit/rate-limit-policies";

/**
 * Tests that spend a whole rate-limit budget must not straddle a window boundary (fixed windows start
 * at multiples of the window since the epoch): when fewer than `neededMs` remain in the current
 * window, wait for the next one, so the request after the budget is refused in every run.
 */
export async function waitForFreshWindow(policy: RateLimitPolicy, neededMs = 20_000): Promise<void> {
  const period = windowMs(policy);
  const left = period - (Date.now() % period);
  if (left < neededMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
