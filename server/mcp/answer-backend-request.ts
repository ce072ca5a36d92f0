import { getLogger } from "../logger";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import type { TBackendChannel } from "./backend-channel";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { frameForBackend } from "./frame-for-backend";
import { postToBackend } from "./post-to-backend";

// A legacy backend's request that no client will answer: one sent inside the stream of a request
// Tumiki made for itself (a list page, initialize), or a `ping`. Tumiki answers it: `ping` with an
// empty result, anything else with "method not found", so the backend never waits for an answer that
// will not come. Failures are logged, never raised: the stream goes on. A 2026-07-28 backend sends no
// requests (it asks for input in an InputRequiredResult) and has no session to answer in: whatever
// such a backend sends as one is dropped.

export function answerBackendRequest(options: {
  channel: TBackendChannel;
  request: { id: string | number; method: string };
}): void {
  const { channel, request } = options;
  if (channel.era === "modern") {
    getLogger().debug(
      { server: channel.target.backend.slug },
      "a 2026-07-28 backend sent a request: dropped",
    );
    return;
  }
  const answer =
    request.method === "ping"
      ? { jsonrpc: "2.0" as const, id: request.id, result: {} }
      : {
          jsonrpc: "2.0" as const,
          id: request.id,
          error: {
            code: JSON_RPC_ERROR.methodNotFound,
            message: `Tumiki cannot relay ${request.method.slice(0, 100)} here: no client is waiting.`,
          },
        };
  sendBackendAnswer({ channel, answer });
}

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

/** postBackendAnswer for answers nobody waits on: a failure is logged, never raised. */
export function sendBackendAnswer(options: { channel: TBackendChannel; answer: TBackendAnswer }): void {
  postBackendAnswer(options).catch((error: unknown) =>
    getLogger().warn(
      { err: error, server: options.channel.target.backend.slug },
      "answering a backend's request failed",
    ),
  );
}
