import type { TMcpClient } from "./mcp-request-context";
import type { TMcpSessionHandle } from "./mcp-session-schemas";

/** A 2025 client as its session describes it: what it declared at `initialize`, its log level. */
export function describeLegacyClient(handle: TMcpSessionHandle): TMcpClient {
  return {
    era: "legacy",
    handle,
    capabilities: handle.session.clientCapabilities,
    logLevel: handle.session.logLevel,
  };
}
