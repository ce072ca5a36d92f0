import { z } from "zod";
import { ZJsonRpcNotification, ZJsonRpcRequest, ZJsonRpcResponse } from "../json-rpc-schemas";

/**
 * One message of a 2025 backend's call that was suspended for a 2026-07-28 client's input, as kept in
 * the continuation log (suspend-legacy-call.ts writes, resume-legacy-call.ts reads): what the backend
 * said after it asked, until its response, or that the call failed.
 */
export const ZContinuationEntry = z.discriminatedUnion("type", [
  z.object({ type: z.literal("notification"), message: ZJsonRpcNotification }),
  z.object({ type: z.literal("request"), key: z.string(), message: ZJsonRpcRequest }),
  z.object({ type: z.literal("response"), message: ZJsonRpcResponse }),
  z.object({ type: z.literal("failed"), reason: z.string() }),
]);
export type TContinuationEntry = z.infer<typeof ZContinuationEntry>;

/** A suspended call's log holds at most this many messages (progress included). */
export const CONTINUATION_MAX_ENTRIES = 1_000;
