import { readBackendSession, touchBackendSession } from "./backend-session-store";
import type { TBackendTarget } from "./backend-target";
import type { TBackendSession } from "./mcp-session-schemas";
import { openBackendSession } from "./open-backend-session";

/** The backend session of this Tumiki session, opened on first use (lazily) and then reused. */
export async function ensureBackendSession(options: {
  target: TBackendTarget;
  signal?: AbortSignal;
}): Promise<TBackendSession> {
  const { target } = options;
  const stored = await readBackendSession({
    sessionKey: target.sessionKey,
    mcpServerId: target.backend.mcpServerId,
  });
  if (!stored) return openBackendSession(options);
  // Used sessions live as long as the Tumiki session does, which each request extends.
  touchBackendSession({ sessionKey: target.sessionKey, mcpServerId: target.backend.mcpServerId });
  return stored;
}
