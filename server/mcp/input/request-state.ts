import { z } from "zod";
import { openSealedPayload, sealPayload } from "../../crypto/seal-payload";
import { getKeyRing } from "../../db";
import { ZJsonRpcId } from "../json-rpc-schemas";
import { INPUT_LIFETIME_MS } from "./input-lifetime";

// Tumiki's `requestState` for 2026-07-28 clients (multi round-trip requests, mrtr.mdx). The client
// echoes it on its retry, to any app process, and it says how to continue:
// - `wrap`: a 2026-07-28 backend asked for input; its own state travels inside Tumiki's, and the retry
//   goes to that backend with it;
// - `continue`: a 2025 backend asked for input mid-call; the call is still running in its backend session
//   and its further messages are kept in a continuation log: the retry answers the pending requests in
//   that session and goes on reading the log from `cursor`;
// - `reauth`: Tumiki itself asked the user to reconnect a backend (URL elicitation); the retry simply
//   runs the request again;
// - `confirm`: Tumiki itself asked the user to confirm a call of a tool that needs it (form elicitation,
//   tools/confirm-tool-call.ts); the retry carries the answer, and runs the request as it came only when
//   it is yes, before the deadline, the first time this state's nonce is presented.
// Sealed with AEAD and bound to the user, the principal (the instance and the credential's client,
// client-principal.ts: a continued call runs in that principal's backend session) and the originating
// request's digest, for a short lifetime (mrtr.mdx "Server Requirements"): a tampered, expired,
// foreign or replayed-elsewhere state does not open, and nothing of it reaches a backend.

const ZRequestState = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("wrap"), serverId: z.string(), inner: z.string().nullable() }),
  z.object({
    kind: z.literal("continue"),
    serverId: z.string(),
    backendSessionId: z.string().nullable(),
    protocolVersion: z.string(),
    continuation: z.string(),
    /** Input key → the backend's id of the request it answers. */
    pending: z.record(z.string(), ZJsonRpcId),
    cursor: z.string(),
  }),
  z.object({ kind: z.literal("reauth"), serverId: z.string() }),
  z.object({
    kind: z.literal("confirm"),
    serverId: z.string(),
    /** Claimed once in Redis by the retry that runs the call: a replayed retry cannot run it again. */
    nonce: z.string(),
    /** When the confirmation times out (ms since the epoch), shorter than the state's own lifetime. */
    deadline: z.number().int(),
  }),
]);
export type TRequestState = z.infer<typeof ZRequestState>;

const PURPOSE = "mcp-request-state";
const binding = (userId: string, principal: string, digest: string) => `${userId}\n${principal}\n${digest}`;

export function sealRequestState({
  userId,
  principal,
  digest,
  state,
}: {
  userId: string;
  /** The 2026-07-28 client's principal (client-principal.ts). */
  principal: string;
  digest: string;
  state: TRequestState;
}): string {
  return sealPayload({
    ring: getKeyRing(),
    purpose: PURPOSE,
    binding: binding(userId, principal, digest),
    payload: state,
    ttlMs: INPUT_LIFETIME_MS,
  });
}

/** The state, or null when it is not one Tumiki sealed for this user, principal and request, or expired. */
export function openRequestState({
  userId,
  principal,
  digest,
  sealed,
}: {
  userId: string;
  principal: string;
  digest: string;
  sealed: string;
}): TRequestState | null {
  const opened = openSealedPayload({
    ring: getKeyRing(),
    purpose: PURPOSE,
    binding: binding(userId, principal, digest),
    sealed,
  });
  const parsed = ZRequestState.safeParse(opened);
  return parsed.success ? parsed.data : null;
}
