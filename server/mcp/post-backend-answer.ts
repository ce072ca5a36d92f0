import type { TBackendChannel } from "./backend-channel";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { frameForBackend } from "./frame-for-backend";
import { postToBackend } from "./post-to-backend";

// A JSON-RPC response to a 2025 backend's request (elicitation, sampling, roots, ping), posted in the
// backend session the request came in.

type TBackendAnswer = { jsonrpc: "2.0"; id: string | number } & Record<string, unknown>;

/**
 * Posts a JSON-RPC response to a backend's request in its session. Throws when the backend did not
 * take it (its session is gone, it is down): the request it answers cannot go on.
 */
export async function postBackendAnswer({
  channel,
  answer,
}: {
  channel: TBackendChannel;
  answer: TBackendAnswer;
}): Promise<void> {
  const { body, headers } = frameForBackend(channel, answer);
  const reply = await postToBackend({
    target: channel.target,
    mcpHeaders: headers,
    message: body,
    authHeaders: channel.authHeaders,
  });
  await reply.body.cancel().catch(() => undefined);
  if (reply.status < 200 || reply.status >= 300) {
    throw new BackendUnavailableError({
      reason: "http_error",
      status: reply.status,
      serverName: channel.target.backend.name,
    });
  }
}
