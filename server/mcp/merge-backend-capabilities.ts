import { getEnv } from "../env";
import { getLogger } from "../logger";
import { getBackendCapabilities } from "./get-backend-capabilities";
import { isRecord } from "./is-record";
import { backendsInScope, type TMcpRequestContext } from "./mcp-request-context";
import { resolveBackendChannel } from "./resolve-backend-channel";

// Tumiki's own capabilities for a client: those of the servers the token may use, merged (2025
// `initialize`, 2026-07-28 `server/discover`). Learning them opens the backends' sessions (2025) or
// asks their discover (2026), in parallel; a server that fails or is slower than a few seconds is left
// out of the merge (it is tried again, lazily, at its first use). Tools are always offered, even by an
// instance with no server yet, and every list may change (the instance's servers can).

const PROBE_TIMEOUT_MS = 5_000;

export async function mergeBackendCapabilities(ctx: TMcpRequestContext): Promise<Record<string, unknown>> {
  const timeout = AbortSignal.timeout(Math.min(PROBE_TIMEOUT_MS, getEnv().MCP_BACKEND_TIMEOUT_MS));
  const signal = AbortSignal.any([ctx.signal, timeout]);
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
        getLogger().warn({ err: error, server: backend.slug }, "a backend could not be initialized");
        return null;
      }
    }),
  );
  const some = (name: string, detail?: string) =>
    offered.some((capabilities) => {
      const value = capabilities?.[name];
      return isRecord(value) && (detail === undefined || value[detail] === true);
    });
  return {
    tools: { listChanged: true },
    ...(some("resources")
      ? { resources: { listChanged: true, ...(some("resources", "subscribe") ? { subscribe: true } : {}) } }
      : {}),
    ...(some("prompts") ? { prompts: { listChanged: true } } : {}),
    ...(some("completions") ? { completions: {} } : {}),
    ...(some("logging") ? { logging: {} } : {}),
  };
}
