import type { TOutboundStream } from "../net/request-outbound-stream";
import type { TBackendChannel } from "./backend-channel";
import { forgetBackendEra } from "./backend-era-store";
import { forgetBackendSessions } from "./backend-session-store";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { frameForBackend } from "./frame-for-backend";
import { openBackendSession } from "./open-backend-session";
import { postToBackend } from "./post-to-backend";

// Sends one request (or notification) on a backend channel and returns the backend's answer, not yet
// read. Legacy: a backend that answers 404 has forgotten the session (restart, expiry), so a new one
// is opened and the message sent again, once, without the client noticing. Modern: a 400 or 404 that
// carries a JSON-RPC error for this very request is the backend's answer (2026-07-28 answers version,
// header and unknown-method errors that way) and is returned as such; any other refusal means the
// backend no longer speaks 2026-07-28 as Tumiki believed, so the era verdict is dropped.

const MAX_REFUSAL_BYTES = 64 * 1024;

type TOutgoing = Parameters<typeof frameForBackend>[1];

async function readJsonRpcRefusal(reply: TOutboundStream, id: unknown): Promise<string | null> {
  if (!(reply.headers.get("content-type") ?? "").toLowerCase().includes("json")) {
    await reply.body.cancel().catch(() => undefined);
    return null;
  }
  const text = await new Response(reply.body).text().catch(() => "");
  if (text.length > MAX_REFUSAL_BYTES) return null;
  try {
    const body = JSON.parse(text) as { id?: unknown; error?: { code?: unknown } };
    return body.id === id && typeof body.error?.code === "number" ? text : null;
  } catch {
    return null;
  }
}

/**
 * A new session for a backend that forgot its old one. A backend that now refuses `initialize` was
 * restarted as a 2026-07-28-only server: what Tumiki knew of it (its era, the old session) is dropped,
 * so the caller's next resolution learns it again (forward-request.ts retries once).
 */
async function reopenBackendSession(
  channel: Extract<TBackendChannel, { era: "legacy" }>,
  signal?: AbortSignal,
) {
  const { target } = channel;
  try {
    return await openBackendSession({ target, signal });
  } catch (error) {
    if (error instanceof BackendUnavailableError && error.reason === "era_mismatch") {
      await forgetBackendEra(target.backend.url);
      await forgetBackendSessions({
        sessionKey: target.sessionKey,
        mcpServerIds: [target.backend.mcpServerId],
      });
    }
    throw error;
  }
}

export async function sendOnChannel({
  channel,
  message,
  signal,
  maxBytes,
  extraHeaders = {},
}: {
  channel: TBackendChannel;
  message: TOutgoing;
  signal?: AbortSignal;
  maxBytes?: number;
  /** Headers the client sent for the backend (2026-07-28 `Mcp-Param-*`), forwarded unchanged. */
  extraHeaders?: Record<string, string>;
}): Promise<{ reply: TOutboundStream; channel: TBackendChannel }> {
  const { target } = channel;
  const send = async (current: TBackendChannel, authHeaders?: Record<string, string>) => {
    const { body, headers } = frameForBackend(current, message);
    return postToBackend({
      target,
      mcpHeaders: { ...extraHeaders, ...headers },
      message: body,
      signal,
      maxBytes,
      authHeaders,
    });
  };

  if (channel.era === "modern") {
    const reply = await send(channel, channel.authHeaders);
    if (reply.status >= 200 && reply.status < 300) return { reply, channel };
    if (reply.status === 400 || reply.status === 404) {
      const refusal = await readJsonRpcRefusal(reply, message.id);
      if (refusal !== null) {
        const headers = new Headers({ "content-type": "application/json" });
        const body = new Blob([refusal]).stream();
        return { reply: { status: reply.status, headers, body }, channel };
      }
      await forgetBackendEra(target.backend.url);
    } else {
      await reply.body.cancel().catch(() => undefined);
    }
    throw new BackendUnavailableError({
      reason: "http_error",
      status: reply.status,
      serverName: target.backend.name,
    });
  }

  let current = channel;
  let reply = await send(current, channel.authHeaders);
  if (reply.status === 404 && current.session.sessionId) {
    await reply.body.cancel().catch(() => undefined);
    current = { ...current, session: await reopenBackendSession(channel, signal) };
    reply = await send(current);
  }
  if (reply.status < 200 || reply.status >= 300) {
    await reply.body.cancel().catch(() => undefined);
    throw new BackendUnavailableError({
      reason: "http_error",
      status: reply.status,
      serverName: target.backend.name,
    });
  }
  return { reply, channel: current };
}
