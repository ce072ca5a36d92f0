import { test as base } from "@playwright/test";
import { fetchFrom, startLoopbackReceiver, type TLoopbackReceiver } from "./oauth-flow";
import { createTestClientIp } from "./users";

// The `test` of the OAuth specs, with a loopback receiver for authorization responses per test (as a
// CLI client runs one), closed after it.
export const test = base.extend<{ loopback: TLoopbackReceiver }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  loopback: async ({}, use) => {
    const receiver = await startLoopbackReceiver();
    await use(receiver);
    await receiver.close();
  },
});

export { expect } from "@playwright/test";

/**
 * Makes the spec file one client address: the browser sends it as X-Forwarded-For (the app under test
 * trusts one proxy hop) and so does the returned fetch, so rate limits see one client and spec files
 * never share a budget.
 */
export function actAsClientAddress(): { ip: string; fetch: typeof fetch } {
  const ip = createTestClientIp();
  test.use({ extraHTTPHeaders: { "x-forwarded-for": ip } });
  return { ip, fetch: fetchFrom(ip) };
}
