import type { TOutboundStream } from "../net/request-outbound-stream";
import type { TBackendTarget } from "./backend-target";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { ensureBackendSession } from "./ensure-backend-session";
import { getBackendAuthHeaders } from "./get-backend-auth-headers";
import type { TBackendSession } from "./mcp-session-schemas";
import { openBackendSession } from "./open-backend-session";
import { postToBackend } from "./post-to-backend";

/**
 * Sends one message in this Tumiki session's backend session and returns the backend's 2xx answer, not
 * yet read. A backend that answers 404 has forgotten the session (restart, expiry): a new one is opened
 * and the message sent again, once, without the client noticing.
 */
export async function sendToBackend({
  target,
  message,
  signal,
  maxBytes,
}: {
  target: TBackendTarget;
  message: unknown;
  signal?: AbortSignal;
  maxBytes?: number;
}): Promise<{ reply: TOutboundStream; backendSession: TBackendSession }> {
  // Two independent reads (Redis, the token manager), side by side: this is every call's critical path.
  const [session, authHeaders] = await Promise.all([
    ensureBackendSession({ target, signal }),
    getBackendAuthHeaders({ userId: target.userId, backend: target.backend }),
  ]);
  let backendSession = session;
  let reply = await postToBackend({ target, backendSession, message, signal, maxBytes, authHeaders });
  if (reply.status === 404 && backendSession.sessionId) {
    await reply.body.cancel().catch(() => undefined);
    backendSession = await openBackendSession({ target, signal });
    reply = await postToBackend({ target, backendSession, message, signal, maxBytes });
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
