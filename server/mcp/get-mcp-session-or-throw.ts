import { getEnv } from "../env";
import { getLogger } from "../logger";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import { getRedis } from "../redis";
import { McpRequestError } from "./mcp-request-error";
import { hashSessionId, mcpSessionKey, type TMcpSessionHandle, ZMcpSession } from "./mcp-session-schemas";
import { withSessionStore } from "./with-session-store";

const MAX_SESSION_ID_LENGTH = 256;

const notFound = () =>
  new McpRequestError("NOT_FOUND", {
    rpcCode: JSON_RPC_ERROR.sessionNotFound,
    message: "Session not found: start a new one with initialize.",
  });

/**
 * The session named by Mcp-Session-Id, if it belongs to this user and instance. An unknown, expired,
 * ended or foreign session is the same 404 (MCP: the client then initializes again), so a session id
 * seen elsewhere tells another user nothing. Each use extends the idle lifetime.
 */
export async function getMcpSessionOrThrow({
  sessionId,
  userId,
  instanceId,
}: {
  sessionId: string;
  userId: string;
  instanceId: string;
}): Promise<TMcpSessionHandle> {
  if (sessionId.length > MAX_SESSION_ID_LENGTH) throw notFound();
  const key = hashSessionId(sessionId);
  const raw = await withSessionStore(() => getRedis().get(mcpSessionKey(key)));
  if (raw === null) throw notFound();
  const parsed = ZMcpSession.safeParse(JSON.parse(raw));
  if (!parsed.success) throw notFound();
  const session = parsed.data;
  if (session.userId !== userId || session.instanceId !== instanceId) {
    getLogger().warn(
      { instanceId },
      "an MCP session id was presented by another user or for another instance",
    );
    throw notFound();
  }
  // Not awaited: extending the lifetime must not delay the request; a failure only shortens it.
  getRedis()
    .pexpire(mcpSessionKey(key), getEnv().MCP_SESSION_TTL_SECONDS * 1000)
    .catch((error: unknown) => getLogger().warn({ err: error }, "extending an MCP session failed"));
  return { key, session };
}
