import { getEnv } from "../env";
import { getLogger } from "../logger";
import { isRecord } from "../protocol/is-record";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { getBackendCapabilities } from "./get-backend-capabilities";
import { describeLeftOutServer, type TLeftOutServer } from "./left-out-servers";
import { backendsInScope, type TMcpRequestContext } from "./mcp-request-context";
import { resolveBackendChannel } from "./resolve-backend-channel";

// Tumiki's own capabilities for a client: those of the servers the token may use, merged (2025 `initialize`,
// 2026-07-28 `server/discover`). Learning them opens the backends' sessions (2025) or asks their discover
// (2026), in parallel; a server that fails, is down (skipped at once) or is slower than a few seconds is left
// out of the merge and named (it is tried again, lazily, at its first use). Tools are always offered, even by
// an instance with no server yet, and every list may change (the instance's servers can).

const PROBE_TIMEOUT_MS = 5_000;

export async function mergeBackendCapabilities(
  ctx: TMcpRequestContext,
): Promise<{ capabilities: Record<string, unknown>; leftOut: TLeftOutServer[] }> {
  const timeout = AbortSignal.timeout(Math.min(PROBE_TIMEOUT_MS, getEnv().MCP_BACKEND_TIMEOUT_MS));
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const leftOut: TLeftOutServer[] = [];
  const offered = await Promise.all(
    backendsInScope(ctx).map(async (backend) => {
      try {
        const channel = await resolveBackendChannel({
          userId: ctx.auth.userId,
          client: ctx.client,
          backend,
          signal,
        });
        return await getBackendCapabilities({ channel, signal });
      } catch (error) {
        const skipped = error instanceof BackendUnavailableError && error.reason === "down";
        getLogger()[skipped ? "debug" : "warn"](
          { err: error, server: backend.slug },
          "a backend could not be initialized",
        );
        leftOut.push(describeLeftOutServer({ backend, error }));
        return null;
      }
    }),
  );
  const some = (name: string, detail?: string) =>
    offered.some((capabilities) => {
      const value = capabilities?.[name];
      return isRecord(value) && (detail === undefined || value[detail] === true);
    });
  const capabilities = {
    tools: { listChanged: true },
    ...(some("resources")
      ? { resources: { listChanged: true, ...(some("resources", "subscribe") ? { subscribe: true } : {}) } }
      : {}),
    ...(some("prompts") ? { prompts: { listChanged: true } } : {}),
    ...(some("completions") ? { completions: {} } : {}),
    ...(some("logging") ? { logging: {} } : {}),
  };
  // In slug order, as the servers are: the order of failures is not the client's business.
  const order = new Map(ctx.backends.map((backend, index) => [backend.mcpServerId, index]));
  leftOut.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return { capabilities, leftOut };
}
