import type { TOutboundStream } from "../net/request-outbound-stream";
import { readBackendSession } from "./backend-session-store";
import type { TBackendTarget } from "./backend-target";
import { BackendUnavailableError } from "./backend-unavailable-error";
import type { TBackendSession } from "./mcp-session-schemas";
import { openBackendSession } from "./open-backend-session";
import { postToBackend } from "./post-to-backend";

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
  return stored ?? openBackendSession(options);
}

/**
 * Sends one message in this Tumiki session's backend session and returns the backend's 2xx answer, not
 * yet read. A backend that answers 404 has forgotten the session (restart, expiry): a new one is opened
 * and the message sent again, once, without the client noticing.
 */
export async function sendToBackend({
  target,
  message,
  signal,
}: {
  target: TBackendTarget;
  message: unknown;
  signal?: AbortSignal;
}): Promise<{ reply: TOutboundStream; backendSession: TBackendSession }> {
  let backendSession = await ensureBackendSession({ target, signal });
  let reply = await postToBackend({ target, backendSession, message, signal });
  if (reply.status === 404 && backendSession.sessionId) {
    await reply.body.cancel().catch(() => undefined);
    backendSession = await openBackendSession({ target, signal });
    reply = await postToBackend({ target, backendSession, message, signal });
  }
  if (reply.status < 200 || reply.status >= 300) {
    await reply.body.cancel().catch(() => undefined);
    throw new BackendUnavailableError({
      reason: "http_error",
      status: reply.status,
      serverName: target.backend.name,
    });
  }
  return { reply, backendSession };
}
