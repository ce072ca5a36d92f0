import type { TCallOutcome } from "../build-failure-answer";
import type { TInstanceBackend } from "../get-instance-backends";
import type { TJsonRpcRequest } from "../json-rpc-schemas";
import type { TMcpRequestContext } from "../mcp-request-context";
import type { TClientReply } from "./client-reply";

/** One client request Tumiki relays to the backend that owns it, for as long as it runs. */
export type TRelayedCall = {
  ctx: TMcpRequestContext;
  /** The request as the client sent it (its id, method, and its params with the aggregated names). */
  request: TJsonRpcRequest;
  backend: TInstanceBackend;
  /** The params as the backend must see them: its own name or URI, no multi round-trip fields. */
  params: Record<string, unknown>;
  reply: TClientReply;
  /** Aborts when the client abandoned or cancelled the call, or its deadline passed: the backend request stops. */
  signal: AbortSignal;
  /** The client cancelled the call (a 2025 `notifications/cancelled`, seen in any process). */
  cancel: () => void;
  /** Aborts once the client has its answer (the call settled): watchers of the call stop. */
  settled: AbortSignal;
  /** When this process took the request (ms since the epoch). */
  startedAt: number;
  /** Identifies the request across the rounds of a multi round-trip request (request-digest.ts). */
  digest: string;
  isToolCall: boolean;
  /** `Mcp-Param-*` headers of a 2026-07-28 client, forwarded to a 2026-07-28 backend unchanged. */
  forwardedHeaders: Record<string, string>;
  /** Called once, when the call has ended one way or another (the audit trail). */
  settle: (outcome: TCallOutcome) => void;
};
