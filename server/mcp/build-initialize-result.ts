import packageJson from "@/package.json";
import { getEnv } from "../env";
import { getLogger } from "../logger";
import { ensureBackendSession } from "./ensure-backend-session";
import type { TMcpRequestContext } from "./mcp-request-context";
import { backendsInScope, toTarget } from "./mcp-request-context";

// Tumiki's own `initialize` answer: the capabilities of the servers the token may use, merged. Their
// backend sessions are opened here, in parallel, because their capabilities come from their own
// `initialize`; a server that fails or is slower than a few seconds is left out of the merge (it is
// tried again, lazily, at its first use). Tools are always offered, even by an instance with no
// server yet. `subscribe` is never offered: resource updates would need a standing stream per client.

const PROBE_TIMEOUT_MS = 5_000;

const INSTRUCTIONS =
  "A Tumiki MCP gateway: one endpoint for the MCP servers bundled in this instance. When it bundles " +
  "several servers, tool and prompt names start with the server's slug and `__`.";

export async function buildInitializeResult({
  ctx,
  protocolVersion,
}: {
  ctx: TMcpRequestContext;
  protocolVersion: string;
}) {
  const timeout = AbortSignal.timeout(Math.min(PROBE_TIMEOUT_MS, getEnv().MCP_BACKEND_TIMEOUT_MS));
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const opened = await Promise.all(
    backendsInScope(ctx).map((backend) =>
      ensureBackendSession({ target: toTarget(ctx, backend), signal }).catch((error: unknown) => {
        getLogger().warn({ err: error, server: backend.slug }, "a backend could not be initialized");
        return null;
      }),
    ),
  );
  const offered = (name: string) => opened.some((session) => session && name in session.capabilities);
  return {
    protocolVersion,
    capabilities: {
      tools: { listChanged: true },
      ...(offered("resources") ? { resources: { listChanged: true } } : {}),
      ...(offered("prompts") ? { prompts: { listChanged: true } } : {}),
      ...(offered("completions") ? { completions: {} } : {}),
      ...(offered("logging") ? { logging: {} } : {}),
    },
    serverInfo: { name: "tumiki", title: "Tumiki", version: packageJson.version },
    instructions: INSTRUCTIONS,
  };
}
