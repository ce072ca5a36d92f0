import { OutboundFetchError } from "../net/outbound-fetch-error";
import { requestOutboundStream } from "../net/request-outbound-stream";
import type { TBackendHealthFailure } from "./backend-health-schemas";

// The light probe of a server that is down: is anything answering HTTP at its URL? A JSON-RPC ping
// without credentials or a session; whatever the server makes of it (a 400 for the missing session, a
// 401 for the missing token, a result) shows it is up. Only the answer's headers are awaited. No
// user's credential is sent: health is shared by every user of the server.

const PING = JSON.stringify({ jsonrpc: "2.0", id: "tumiki-health-probe", method: "ping" });

export async function probeBackend({
  url,
  timeoutMs,
}: {
  url: string;
  timeoutMs: number;
}): Promise<TBackendHealthFailure | null> {
  try {
    const reply = await requestOutboundStream({
      url,
      method: "POST",
      headers: { accept: "application/json, text/event-stream", "content-type": "application/json" },
      body: PING,
      headersTimeoutMs: timeoutMs,
      maxBytes: 64 * 1024,
    });
    await reply.body.cancel().catch(() => undefined);
    return reply.status >= 500 ? { kind: "http_error", status: reply.status } : null;
  } catch (error) {
    if (error instanceof OutboundFetchError && error.reason === "timeout") return { kind: "timeout" };
    return { kind: "unreachable" };
  }
}
