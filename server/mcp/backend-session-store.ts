import { getEnv } from "../env";
import { getLogger } from "../logger";
import { getRedis } from "../redis";
import { backendSessionKey, type TBackendSession, ZBackendSession } from "./mcp-session-schemas";
import { withSessionStore } from "./with-session-store";

// The backend sessions of one Tumiki session, one Redis key per backend server, living as long as the
// Tumiki session. The operations over one key scheme are kept together so the scheme has one home.

export async function readBackendSession(options: {
  sessionKey: string;
  mcpServerId: string;
}): Promise<TBackendSession | null> {
  const raw = await withSessionStore(() =>
    getRedis().get(backendSessionKey(options.sessionKey, options.mcpServerId)),
  );
  if (raw === null) return null;
  const parsed = ZBackendSession.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}

export async function saveBackendSession(options: {
  sessionKey: string;
  mcpServerId: string;
  backendSession: TBackendSession;
}): Promise<void> {
  await withSessionStore(() =>
    getRedis().set(
      backendSessionKey(options.sessionKey, options.mcpServerId),
      JSON.stringify(options.backendSession),
      { px: getEnv().MCP_SESSION_TTL_SECONDS * 1000 },
    ),
  );
}

export async function forgetBackendSessions(options: {
  sessionKey: string;
  mcpServerIds: string[];
}): Promise<void> {
  if (options.mcpServerIds.length === 0) return;
  await withSessionStore(() =>
    getRedis().del(...options.mcpServerIds.map((id) => backendSessionKey(options.sessionKey, id))),
  );
}

/** Extends a backend session's lifetime; not awaited by callers, a failure only shortens it. */
export function touchBackendSession(options: { sessionKey: string; mcpServerId: string }): void {
  getRedis()
    .pexpire(
      backendSessionKey(options.sessionKey, options.mcpServerId),
      getEnv().MCP_SESSION_TTL_SECONDS * 1000,
    )
    .catch((error: unknown) => getLogger().warn({ err: error }, "extending a backend session failed"));
}
