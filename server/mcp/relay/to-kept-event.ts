import { z } from "zod";
import { isRecord } from "../../protocol/is-record";
import { JSON_RPC_ERROR } from "../../protocol/mcp-protocol";

// An event of a 2025 client's call stream as it is kept in Redis while the client is away
// (client-reply.ts), for a resumption to replay (resume-call-stream.ts).

/**
 * The largest event kept for a resumption. A bigger answer (a tool result of many megabytes) is kept as
 * an error saying so, and a bigger notification is not kept: Redis holds what a client may come back
 * for, not whatever a backend sends. A request relayed to the client is kept whatever its size: the
 * call waits for its answer.
 */
const MAX_KEPT_EVENT_CHARS = 1024 * 1024;

export const ZStreamLogEntry = z.object({
  seq: z.number().int(),
  message: z.unknown(),
  final: z.literal(true).optional(),
});
export type TStreamLogEntry = z.infer<typeof ZStreamLogEntry>;

/** The log text of an event, within MAX_KEPT_EVENT_CHARS; null for one that is not kept. */
export function toKeptEvent(entry: TStreamLogEntry): string | null {
  const text = JSON.stringify(entry);
  if (text.length <= MAX_KEPT_EVENT_CHARS) return text;
  const message = isRecord(entry.message) ? entry.message : {};
  if (typeof message.method === "string") return "id" in message ? text : null;
  const id = message.id;
  if (typeof id !== "string" && typeof id !== "number") return null;
  const error = {
    code: JSON_RPC_ERROR.internalError,
    message: "The answer was too large to keep while the stream was away; make the request again.",
  };
  return JSON.stringify({ ...entry, message: { jsonrpc: "2.0", id, error } });
}
