import { getLogger } from "../logger";
import type { TBackendTarget } from "./backend-target";
import { JSON_RPC_ERROR } from "./mcp-protocol";
import type { TBackendSession } from "./mcp-session-schemas";
import { postToBackend } from "./post-to-backend";

// A backend may send requests of its own inside a response stream (ping, sampling, elicitation, roots).
// Tumiki declares none of those client capabilities to backends, so it answers them itself: `ping`
// with an empty result, anything else with "method not found", so the backend never waits for an
// answer that no client will send. Failures are logged, never raised: the stream goes on.

export function answerBackendRequest(options: {
  target: TBackendTarget;
  backendSession: TBackendSession;
  request: { id: string | number; method: string };
}): void {
  const { target, backendSession, request } = options;
  const answer =
    request.method === "ping"
      ? { jsonrpc: "2.0", id: request.id, result: {} }
      : {
          jsonrpc: "2.0",
          id: request.id,
          error: {
            code: JSON_RPC_ERROR.methodNotFound,
            message: `Tumiki does not relay ${request.method.slice(0, 100)} to its clients.`,
          },
        };
  postToBackend({ target, backendSession, message: answer })
    .then((reply) => reply.body.cancel())
    .catch((error: unknown) =>
      getLogger().warn({ err: error, server: target.backend.slug }, "answering a backend's request failed"),
    );
}
