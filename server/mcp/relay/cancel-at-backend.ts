import { getLogger } from "../../logger";
import type { TBackendChannel } from "../backend-channel";
import { frameForBackend } from "../frame-for-backend";
import { postToBackend } from "../post-to-backend";

// Tells a 2025 backend that a request Tumiki sent it is abandoned (the client cancelled or went away,
// or the deadline passed), so it stops working on it and waits for no answer. A 2026-07-28 backend
// needs no message: closing its stream cancels the request. Sent in the backend session the request
// runs in and nowhere else: a session the backend forgot took the request with it, and a new one is
// not opened just to cancel. Best effort: a failure is only noted.

export function cancelAtBackend({
  channel,
  requestId,
}: {
  channel: Extract<TBackendChannel, { era: "legacy" }>;
  /** The id the backend knows the request by. */
  requestId: string | number;
}): void {
  const { body, headers } = frameForBackend(channel, {
    jsonrpc: "2.0",
    method: "notifications/cancelled",
    params: { requestId, reason: "The client cancelled or went away." },
  });
  postToBackend({
    target: channel.target,
    mcpHeaders: headers,
    message: body,
    authHeaders: channel.authHeaders,
  })
    .then((reply) => reply.body.cancel())
    .catch((error: unknown) =>
      getLogger().debug(
        { err: error, server: channel.target.backend.slug },
        "telling a backend to cancel failed",
      ),
    );
}
