import { randomBytes } from "node:crypto";
import { getEnv } from "../env";
import { getRedis } from "../redis";
import {
  hashSessionId,
  mcpSessionKey,
  type TMcpSession,
  type TMcpSessionHandle,
} from "./mcp-session-schemas";
import { withSessionStore } from "./with-session-store";

/** Starts a session: 256 random bits as the Mcp-Session-Id (visible ASCII, base64url), stored hashed. */
export async function createMcpSession(
  session: Omit<TMcpSession, "createdAt">,
): Promise<{ sessionId: string; handle: TMcpSessionHandle }> {
  const sessionId = randomBytes(32).toString("base64url");
  const handle = { key: hashSessionId(sessionId), session: { ...session, createdAt: Date.now() } };
  await withSessionStore(() =>
    getRedis().set(mcpSessionKey(handle.key), JSON.stringify(handle.session), {
      px: getEnv().MCP_SESSION_TTL_SECONDS * 1000,
    }),
  );
  return { sessionId, handle };
}

/** Changes what a session remembers (its log level); the session's lifetime starts again. */
export async function updateMcpSession({
  handle,
  patch,
}: {
  handle: TMcpSessionHandle;
  patch: Partial<Pick<TMcpSession, "logLevel">>;
}): Promise<TMcpSessionHandle> {
  const session = { ...handle.session, ...patch };
  await withSessionStore(() =>
    getRedis().set(mcpSessionKey(handle.key), JSON.stringify(session), {
      px: getEnv().MCP_SESSION_TTL_SECONDS * 1000,
    }),
  );
  return { key: handle.key, session };
}
