import { getLogger } from "../logger";
import { requestOutboundStream } from "../net/request-outbound-stream";
import { MCP_SESSION_HEADER } from "../protocol/mcp-protocol";
import type { TBackendChannel } from "./backend-channel";
import { forgetBackendSessions } from "./backend-session-store";

// Ends one 2025 backend session Tumiki opened: forgotten first (so it is over even if the backend
// hangs), then ended at the backend with DELETE, politely and best effort: a backend that does not
// answer in a few seconds keeps its session until its own expiry.

const BACKEND_DELETE_TIMEOUT_MS = 5_000;

export async function endBackendSession({ channel }: { channel: TBackendChannel }): Promise<void> {
  if (channel.era !== "legacy") return;
  const { target, session } = channel;
  await forgetBackendSessions({
    sessionKey: target.sessionKey,
    mcpServerIds: [target.backend.mcpServerId],
  }).catch(() => undefined);
  if (!session.sessionId) return;
  try {
    const reply = await requestOutboundStream({
      url: target.backend.url,
      method: "DELETE",
      headers: { ...channel.authHeaders, [MCP_SESSION_HEADER]: session.sessionId },
      headersTimeoutMs: BACKEND_DELETE_TIMEOUT_MS,
      maxBytes: 64 * 1024,
    });
    await reply.body.cancel();
  } catch (error) {
    getLogger().debug({ err: error, server: target.backend.slug }, "ending a backend session failed");
  }
}
