import { ReAuthRequiredError } from "../../backends/re-auth-required-error";
import { buildFailureAnswer } from "../build-failure-answer";
import { supportsUrlElicitation } from "../client-capabilities";
import { frameResultForClient } from "../frame-result-for-client";
import { finishWithInputRequired } from "./finish-with-input-required";
import type { TRelayedCall } from "./relayed-call";

// How a relayed call ends for the client when the backend could not answer: the failure answer
// (build-failure-answer.ts). A 2026-07-28 client that must reconnect a backend is asked the 2026-07-28
// way: a URL elicitation inside an InputRequiredResult (the -32042 error of 2025 does not exist there),
// whose retry simply runs the request again.

export function failCall({ call, error }: { call: TRelayedCall; error: unknown }): void {
  const { ctx, request, backend } = call;
  if (
    error instanceof ReAuthRequiredError &&
    ctx.client.era === "modern" &&
    supportsUrlElicitation(ctx.client.capabilities)
  ) {
    finishWithInputRequired({
      call,
      inputRequests: {
        reconnect: {
          method: "elicitation/create",
          params: {
            mode: "url",
            url: error.reconnectUrl,
            message: `Sign in to ${backend.name} again so Tumiki can use it on your behalf.`,
          },
        },
      },
      state: { kind: "reauth", serverId: backend.mcpServerId },
    });
    return;
  }
  const failure = buildFailureAnswer({
    error,
    backend,
    requestId: request.id,
    supportsUrlElicitation: ctx.client.era === "legacy" && supportsUrlElicitation(ctx.client.capabilities),
    isToolCall: call.isToolCall,
  });
  call.settle(failure.settled);
  const message = failure.message as { result?: Record<string, unknown> };
  call.reply.end(
    message.result
      ? {
          ...message,
          result: frameResultForClient({
            client: ctx.client,
            method: request.method,
            result: message.result,
          }),
        }
      : message,
  );
}
