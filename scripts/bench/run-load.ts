import autocannon from "autocannon";
import type { TMcpSession } from "./mcp-session";
import { percentile } from "./percentile";
import { isSuccessfulToolResult } from "./read-json-rpc-response";

// One measured load run: autocannon keeps `connections` requests in flight on one MCP session for
// `durationSeconds`, every request a tools/call with an id of its own (requests in flight on one
// session must not share an id). Latencies are kept per response, so p95 is exact (autocannon's own
// summary has no p95), and every response body is checked for a JSON-RPC error or isError.

export const BENCH_TOOL = { name: "search_notes", arguments: { query: "bench" } } as const;

const REQUEST_TIMEOUT_SECONDS = 10;

const callBody = (session: TMcpSession) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id: "[<id>]",
    method: "tools/call",
    params: { ...BENCH_TOOL, ...(session.meta ? { _meta: session.meta } : {}) },
  });

export type TLoadStats = {
  connections: number;
  durationSeconds: number;
  responses: number;
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p95: number; p99: number; max: number };
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** 2xx responses whose body was a JSON-RPC error or a tool error. */
  failedResults: number;
  firstFailedBody?: string;
};

export async function runLoad(options: {
  session: TMcpSession;
  connections: number;
  durationSeconds: number;
}): Promise<TLoadStats> {
  const latencies: number[] = [];
  let firstFailedBody: string | undefined;
  const instance = autocannon({
    url: options.session.url,
    method: "POST",
    headers: options.session.headers,
    body: callBody(options.session),
    idReplacement: true,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: REQUEST_TIMEOUT_SECONDS,
    verifyBody: (body) => {
      if (isSuccessfulToolResult(body)) return true;
      firstFailedBody ??= body.slice(0, 500);
      return false;
    },
  });
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    latencies.push(responseTimeMs);
  });
  const result = await instance;

  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
  return {
    connections: options.connections,
    durationSeconds: result.duration,
    responses: latencies.length,
    requestsPerSecond: latencies.length / result.duration,
    latencyMs: {
      mean,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
    },
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
    ),
    errors: result.errors,
    timeouts: result.timeouts,
    failedResults: result.mismatches,
    firstFailedBody,
  };
}
