import { getAppUrl } from "../../auth/resource-urls";
import { getEnv } from "../../env";
import { frameResultForClient } from "../frame-result-for-client";
import type { TRelayedCall } from "../relay/relayed-call";
import { auditToolConfirmation } from "./audit-tool-confirmation";

// A call of a tool that needs the user's confirmation, refused because it did not get it: the client
// gets a tool error the model reads (what happened and what would help), the call ends as a FAILURE
// with the reason, and the confirmation is audited. Nothing reached the backend.

export type TConfirmationRefusal = "declined" | "timed_out" | "unavailable" | "reused";

const REFUSALS = {
  declined: {
    reason: "confirmation_declined",
    text: (tool: string, server: string) =>
      `The user declined the call of ${tool} on ${server}, so Tumiki did not run it. Do not call it again ` +
      "unless the user asks for it.",
  },
  timed_out: {
    reason: "confirmation_timed_out",
    text: (tool: string, server: string) => {
      const seconds = getEnv().MCP_CONFIRMATION_TIMEOUT_SECONDS;
      const within = `${seconds} second${seconds === 1 ? "" : "s"}`;
      return (
        `Nobody confirmed the call of ${tool} on ${server} within ${within}, ` +
        "so Tumiki did not run it. Call it again when the user is there to confirm it."
      );
    },
  },
  unavailable: {
    reason: "confirmation_unavailable",
    text: (tool: string, server: string, instanceId: string) =>
      `${tool} on ${server} needs the user's confirmation for each call, and this client cannot ask for ` +
      "it (it did not declare form elicitation), so Tumiki did not run it. Use a client that supports " +
      "elicitation, or ask the instance's owner to change the tool's confirmation setting: " +
      getAppUrl(`/instances/${encodeURIComponent(instanceId)}#tools`),
  },
  reused: {
    reason: "confirmation_reused",
    text: (tool: string, server: string) =>
      `This confirmation of ${tool} on ${server} was already used, so Tumiki did not run the call again. ` +
      "Call the tool again to ask the user anew.",
  },
} as const;

/** Answers the call with the refusal; false, as confirmToolCall returns for a call it answered. */
export function refuseUnconfirmedCall({
  call,
  refusal,
}: {
  call: TRelayedCall;
  refusal: TConfirmationRefusal;
}): false {
  const { ctx, request, backend } = call;
  const { reason, text } = REFUSALS[refusal];
  const exposed = typeof request.params?.name === "string" ? request.params.name.slice(0, 200) : "the tool";
  auditToolConfirmation({ call, outcome: refusal, reason });
  const result = {
    isError: true,
    content: [{ type: "text", text: text(exposed, backend.name, ctx.instanceId) }],
    _meta: {
      "tumiki/error": {
        error: reason,
        server: { id: backend.mcpServerId, slug: backend.slug, name: backend.name },
      },
    },
  };
  call.settle({ outcome: "FAILURE", reason });
  call.reply.end({
    jsonrpc: "2.0",
    id: request.id,
    result: frameResultForClient({ client: ctx.client, method: request.method, result }),
  });
  return false;
}
