import { createHash } from "node:crypto";
import { canonicalJson } from "../protocol/canonical-json";
import type { TBackendTarget } from "./backend-target";
import type { TInstanceBackend } from "./get-instance-backends";
import type { TMcpClient } from "./mcp-request-context";

// Who reaches a backend for a client, and in which backend session (backend-target.ts). A 2025 client
// has its own session, whose backend sessions hang off its key. A 2026-07-28 client has no session, so
// its 2025 backend sessions are shared by the requests of one principal (the user, the instance and
// the credential's client, client-principal.ts) that declare the same capabilities (Tumiki declares
// those to the backend at `initialize`): what a backend sends on such a session concerns that
// principal alone.

const sharedSessionKey = (userId: string, principal: string, capabilities: Record<string, unknown>) =>
  `m${createHash("sha256")
    .update(`${userId}\n${principal}\n${canonicalJson(capabilities)}`)
    .digest("hex")
    .slice(0, 40)}`;

/** Who reaches the backend and under which session key (see backend-target.ts). */
export function resolveBackendTarget({
  userId,
  client,
  backend,
}: {
  userId: string;
  client: TMcpClient;
  backend: TInstanceBackend;
}): TBackendTarget {
  const sessionKey =
    client.era === "legacy"
      ? client.handle.key
      : sharedSessionKey(userId, client.principal, client.capabilities);
  return { userId, sessionKey, backend, capabilities: client.capabilities };
}
