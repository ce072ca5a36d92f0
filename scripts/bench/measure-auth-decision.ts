import { performance } from "node:perf_hooks";
import { hasServerAccess } from "../../server/auth/scopes";
import { authenticateMcpRequest } from "../../server/auth/verify/authenticate-mcp-request";
import { getValidToken } from "../../server/backends/get-valid-token";
import { percentile } from "./percentile";

// The in-process cost of one auth decision of the proxy with warm caches: verify the Tumiki access
// token (signature, claims, issuance record, instance owner), check the token's scope covers the
// server, and get the user's backend token (a Redis cache hit). Run in the bench process against the
// bench's database and Redis, after the load runs, so every cache and JIT is warm.

const WARMUP_ITERATIONS = 200;

export type TAuthDecisionStats = { iterations: number; meanUs: number; p50Us: number; p99Us: number };

export async function measureAuthDecision(options: {
  instanceUrl: string;
  instanceId: string;
  serverId: string;
  serverSlug: string;
  accessToken: string;
  iterations: number;
}): Promise<TAuthDecisionStats> {
  const decide = async () => {
    const request = new Request(options.instanceUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${options.accessToken}` },
    });
    const auth = await authenticateMcpRequest({ request, instanceId: options.instanceId });
    if (!hasServerAccess(auth.scopes, options.serverSlug)) {
      throw new Error("the bench token does not cover the bench server");
    }
    await getValidToken({ userId: auth.userId, mcpServerId: options.serverId });
  };

  for (let i = 0; i < WARMUP_ITERATIONS; i++) await decide();
  const durations: number[] = [];
  for (let i = 0; i < options.iterations; i++) {
    const start = performance.now();
    await decide();
    durations.push((performance.now() - start) * 1000);
  }
  durations.sort((a, b) => a - b);
  return {
    iterations: options.iterations,
    meanUs: durations.reduce((sum, value) => sum + value, 0) / durations.length,
    p50Us: percentile(durations, 50),
    p99Us: percentile(durations, 99),
  };
}
