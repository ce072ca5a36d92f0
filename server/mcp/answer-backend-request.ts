import { getLogger } from "../logger";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import type { TBackendChannel } from "./backend-channel";
import { postBackendAnswer } from "./post-backend-answer";

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

/** postBackendAnswer for answers nobody waits on: a failure is logged, never raised. */
function sendBackendAnswer(options: Parameters<typeof postBackendAnswer>[0]): void {
  postBackendAnswer(options).catch((error: unknown) =>
    getLogger().warn(
      { err: error, server: options.channel.target.backend.slug },
      "answering a backend's request failed",
    ),
  );
}
