import { isRecord } from "../protocol/is-record";
import { META } from "../protocol/mcp-protocol";
import type { TMcpClient } from "./mcp-request-context";
import { TUMIKI_SERVER_INFO } from "./server-info";

// A result as the client's era wants it, whichever era the backend that produced it speaks. 2026-07-28
// (basic/index.mdx, caching.mdx): every result has `resultType`, names the server in `_meta`, and the
// cacheable ones carry `ttlMs` and `cacheScope`. Tumiki's lists and reads depend on the caller's
// authorization (scopes, the instance's servers), so they are always "private". A 2025 client gets
// none of these fields: no difference it can see beyond the revision it asked for.

/** Methods whose 2026-07-28 results are cacheable (server/utilities/caching.mdx). */
const CACHEABLE = new Set([
  "server/discover",
  "tools/list",
  "prompts/list",
  "resources/list",
  "resources/templates/list",
  "resources/read",
]);

const MODERN_ONLY_FIELDS = ["resultType", "ttlMs", "cacheScope"];

function withoutServerInfo(meta: unknown): Record<string, unknown> | undefined {
  if (!isRecord(meta)) return undefined;
  const { [META.serverInfo]: _dropped, ...rest } = meta;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

export function frameResultForClient({
  client,
  method,
  result,
}: {
  client: Pick<TMcpClient, "era">;
  method: string;
  result: Record<string, unknown>;
}): Record<string, unknown> {
  const meta = withoutServerInfo(result._meta);
  if (client.era === "legacy") {
    const framed = Object.fromEntries(
      Object.entries(result).filter(([key]) => !MODERN_ONLY_FIELDS.includes(key) && key !== "_meta"),
    );
    return meta ? { ...framed, _meta: meta } : framed;
  }
  const resultType = typeof result.resultType === "string" ? result.resultType : "complete";
  const framed: Record<string, unknown> = {
    ...result,
    resultType,
    _meta: { ...meta, [META.serverInfo]: TUMIKI_SERVER_INFO },
  };
  if (CACHEABLE.has(method) && resultType === "complete") {
    const ttlMs = typeof result.ttlMs === "number" && result.ttlMs >= 0 ? Math.floor(result.ttlMs) : 0;
    framed.ttlMs = ttlMs;
    framed.cacheScope = "private";
  }
  return framed;
}
