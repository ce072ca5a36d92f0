import { ReAuthRequiredError } from "../backends/re-auth-required-error";
import { getEnv } from "../env";
import { requestOutboundStream, type TOutboundStream } from "../net/request-outbound-stream";
import { MAX_BACKEND_RESPONSE_BYTES, type TBackendTarget } from "./backend-target";
import { getBackendAuthHeaders } from "./get-backend-auth-headers";
import { toBackendUnavailable } from "./to-backend-unavailable";

// One JSON-RPC message POSTed to a backend, as the Streamable HTTP transport wants it, with the
// backend's credential. A 401 from an OAuth backend means the token Tumiki holds was revoked or expired
// early: the token manager is asked for a new one (a forced refresh) and the message is sent once more;
// a second 401 means the grant itself is no good, which only the user can fix.

export async function postToBackend({
  target,
  mcpHeaders,
  message,
  signal,
  maxBytes = MAX_BACKEND_RESPONSE_BYTES,
  authHeaders,
}: {
  target: TBackendTarget;
  /** The protocol's headers for this message in the backend's era (frame-for-backend.ts). */
  mcpHeaders: Record<string, string>;
  message: unknown;
  signal?: AbortSignal;
  /** The most the answer may hold; Tumiki's own requests (lists) allow less than a tool's result. */
  maxBytes?: number;
  /** The credential, when the caller fetched it already (in parallel with the backend session). */
  authHeaders?: Record<string, string>;
}): Promise<TOutboundStream> {
  const { backend, userId } = target;
  const body = JSON.stringify(message);
  const send = async (rejectedAccessToken?: string) => {
    const auth =
      authHeaders && !rejectedAccessToken
        ? authHeaders
        : await getBackendAuthHeaders({ userId, backend, rejectedAccessToken });
    const headers: Record<string, string> = {
      ...mcpHeaders,
      ...auth,
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
    };
    try {
      const reply = await requestOutboundStream({
        url: backend.url,
        method: "POST",
        headers,
        body,
        headersTimeoutMs: getEnv().MCP_BACKEND_TIMEOUT_MS,
        maxBytes,
        signal,
      });
      return { reply, sentToken: auth.authorization?.replace(/^Bearer /, "") };
    } catch (error) {
      throw toBackendUnavailable({ error, serverName: backend.name, signal });
    }
  };

  const first = await send();
  if (first.reply.status !== 401 || backend.authType !== "OAUTH" || !first.sentToken) return first.reply;
  await first.reply.body.cancel().catch(() => undefined);
  const { reply: second } = await send(first.sentToken);
  if (second.status !== 401) return second;
  await second.body.cancel().catch(() => undefined);
  throw new ReAuthRequiredError({
    mcpServerId: backend.mcpServerId,
    serverName: backend.name,
    reason: "backend_rejected_token",
  });
}
