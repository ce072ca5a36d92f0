import { createHash } from "node:crypto";
import { z } from "zod";
import { openSealedPayload, sealPayload } from "../../crypto/seal-payload";
import { getKeyRing } from "../../db";
import { ZJsonRpcId } from "../json-rpc-schemas";
import { INPUT_LIFETIME_MS } from "./input-lifetime";

// The id of a request Tumiki sends a 2025 client for a backend (elicitation, sampling, roots). It says
// where the client's answer must go, so the answer can arrive at any app process and be delivered
// without a table in any process's memory:
// - `relay`: a 2025 backend's own request; the answer is posted to that backend in the Tumiki session's
//   backend session, with the backend's original id, only while that backend session is the one the
//   request came in (a backend session re-opened since may reuse ids: an old answer must not answer a
//   new request);
// - `collect`: one input request of a 2026-07-28 backend; the answer is kept for the retry Tumiki makes
//   with all of them (collect-client-answers.ts).
// The id is sealed and bound to the user and the Tumiki session: a client cannot forge one, alter one,
// or use one minted for someone else (seal-payload.ts).

const ZRelayedRequestRef = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("relay"),
    serverId: z.string(),
    /** fingerprintBackendSession of the backend session the request came in. */
    backendSession: z.string(),
    backendId: ZJsonRpcId,
  }),
  z.object({ kind: z.literal("collect"), continuation: z.string(), key: z.string() }),
]);
export type TRelayedRequestRef = z.infer<typeof ZRelayedRequestRef>;

const PURPOSE = "mcp-relayed-request";

/** Names a backend session in an id without carrying its id (a credential of sorts) to the client. */
export const fingerprintBackendSession = (sessionId: string | null) =>
  createHash("sha256")
    .update(sessionId ?? "")
    .digest("base64url")
    .slice(0, 22);
const binding = (userId: string, sessionKey: string) => `${userId}\n${sessionKey}`;

export function mintRelayedRequestId({
  userId,
  sessionKey,
  ref,
}: {
  userId: string;
  sessionKey: string;
  ref: TRelayedRequestRef;
}): string {
  return sealPayload({
    ring: getKeyRing(),
    purpose: PURPOSE,
    binding: binding(userId, sessionKey),
    payload: ref,
    ttlMs: INPUT_LIFETIME_MS,
  });
}

/** Where an answer with this id goes; null for an id Tumiki did not mint for this user and session. */
export function openRelayedRequestId({
  userId,
  sessionKey,
  id,
}: {
  userId: string;
  sessionKey: string;
  id: string | number | null;
}): TRelayedRequestRef | null {
  if (typeof id !== "string") return null;
  const opened = openSealedPayload({
    ring: getKeyRing(),
    purpose: PURPOSE,
    binding: binding(userId, sessionKey),
    sealed: id,
  });
  const parsed = ZRelayedRequestRef.safeParse(opened);
  return parsed.success ? parsed.data : null;
}
