import { createHash } from "node:crypto";
import type { TBackendChannel } from "./backend-channel";
import { saveBackendDiscover } from "./backend-discover-store";
import { forgetBackendEra, readBackendEra, recordBackendEra, type TBackendEra } from "./backend-era-store";
import type { TBackendTarget } from "./backend-target";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { canonicalJson } from "./canonical-json";
import { ensureBackendSession } from "./ensure-backend-session";
import { getBackendAuthHeaders } from "./get-backend-auth-headers";
import type { TInstanceBackend } from "./get-instance-backends";
import type { TMcpClient } from "./mcp-request-context";
import { probeModernBackend } from "./probe-modern-backend";

// Which era Tumiki speaks to a backend for one request (backend-era-store.ts has what is known).
// - A 2025 client: 2025, through a backend session, when the backend keeps sessions (it can then ask
//   the client for input mid-call, which reaches the client unchanged). A backend that refuses
//   `initialize`, or answers it without a session while it also speaks 2026-07-28, is spoken to in
//   2026-07-28: its input requests come back as InputRequiredResults, which Tumiki turns into requests
//   to the client (collect-client-answers.ts).
// - A 2026-07-28 client: 2026-07-28 whenever the backend speaks it, else 2025. Its era is probed with
//   `server/discover` first (no side effects, unlike sending the call and seeing what happens).
// A 2026-07-28 client has no session, so its 2025 backend sessions are shared by the user's requests
// that declare the same capabilities (Tumiki declares those to the backend at `initialize`).

const sharedSessionKey = (userId: string, capabilities: Record<string, unknown>) =>
  `m${createHash("sha256")
    .update(`${userId}\n${canonicalJson(capabilities)}`)
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
    client.era === "legacy" ? client.handle.key : sharedSessionKey(userId, client.capabilities);
  return { userId, sessionKey, backend, capabilities: client.capabilities };
}

async function openLegacy(target: TBackendTarget, signal?: AbortSignal) {
  // Independent reads (Redis, the token manager), side by side: this is every call's critical path.
  const [session, authHeaders] = await Promise.all([
    ensureBackendSession({ target, signal }),
    getBackendAuthHeaders({ userId: target.userId, backend: target.backend }),
  ]);
  return { era: "legacy" as const, target, session, authHeaders };
}

/** A modern channel, after confirming the era with `server/discover` when it is not known yet. */
async function openModern(
  target: TBackendTarget,
  era: TBackendEra,
  logLevel: string | null,
  signal?: AbortSignal,
): Promise<TBackendChannel | null> {
  if (era.modern === false) return null;
  const authHeaders = await getBackendAuthHeaders({ userId: target.userId, backend: target.backend });
  const channel = { era: "modern" as const, target, logLevel, authHeaders };
  if (era.modern === true) return channel;
  const discover = await probeModernBackend({ channel, signal });
  await recordBackendEra(target.backend.url, { modern: discover !== null });
  if (!discover) return null;
  await saveBackendDiscover({ userId: target.userId, backend: target.backend, discover });
  return channel;
}

const isEraMismatch = (error: unknown) =>
  error instanceof BackendUnavailableError && error.reason === "era_mismatch";

async function resolveForLegacyClient(
  target: TBackendTarget,
  known: TBackendEra,
  logLevel: string | null,
  signal?: AbortSignal,
): Promise<TBackendChannel> {
  let era = known;
  if (era.legacy === "sessions") {
    try {
      return await openLegacy(target, signal);
    } catch (error) {
      if (!isEraMismatch(error)) throw error;
      // It refuses `initialize` now: whatever was known of it no longer holds.
      await forgetBackendEra(target.backend.url);
      era = { modern: null, legacy: null };
    }
  }
  if (era.legacy === null) {
    try {
      const channel = await openLegacy(target, signal);
      const legacy = channel.session.sessionId ? "sessions" : "stateless";
      await recordBackendEra(target.backend.url, { legacy });
      if (legacy === "sessions") return channel;
      return (await openModern(target, { ...era, legacy }, logLevel, signal)) ?? channel;
    } catch (error) {
      if (!isEraMismatch(error)) throw error;
    }
  }
  const modern = await openModern(target, era, logLevel, signal);
  if (modern) {
    if (era.legacy === null) await recordBackendEra(target.backend.url, { legacy: "refused" });
    return modern;
  }
  if (era.legacy === "stateless") return openLegacy(target, signal);
  throw new BackendUnavailableError({ reason: "era_mismatch", serverName: target.backend.name });
}

export async function resolveBackendChannel({
  userId,
  client,
  backend,
  signal,
}: {
  userId: string;
  client: TMcpClient;
  backend: TInstanceBackend;
  signal?: AbortSignal;
}): Promise<TBackendChannel> {
  const target = resolveBackendTarget({ userId, client, backend });
  const era = await readBackendEra(backend.url);
  if (client.era === "legacy") return resolveForLegacyClient(target, era, client.logLevel, signal);
  return (await openModern(target, era, client.logLevel, signal)) ?? openLegacy(target, signal);
}
