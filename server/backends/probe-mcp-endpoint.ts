import { safeFetch, type TSafeFetchResponse } from "../net/safe-fetch";
import { buildMcpProbeRequest } from "./build-mcp-probe-request";

// Probes an MCP endpoint the way a client of both protocol eras finds a server of either
// (2026-07-28 versioning.mdx, "Backward Compatibility"): `server/discover` first. A 2026-07-28 server
// answers it (2xx), and any server that wants credentials refuses it (401, 403) before looking at the
// method. Any other refusal (a 2025 server without a session, one that knows no such method) says the
// server is not of that revision: `initialize` then asks it the 2025 way. The answer returned is the
// one that decides (its status, challenge and, after `initialize`, the session it may have opened),
// with the request that got it. Throws OutboundFetchError like safeFetch.

const DECISIVE = (status: number) => (status >= 200 && status < 400) || status === 401 || status === 403;

export async function probeMcpEndpoint({
  url,
  headers,
  signal,
}: {
  url: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}): Promise<TSafeFetchResponse & { answered: "discover" | "initialize" }> {
  const discovered = await safeFetch(buildMcpProbeRequest({ kind: "discover", url, headers, signal }));
  if (DECISIVE(discovered.status)) return { ...discovered, answered: "discover" };
  const initialized = await safeFetch(buildMcpProbeRequest({ kind: "initialize", url, headers, signal }));
  return { ...initialized, answered: "initialize" };
}
