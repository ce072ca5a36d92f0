import { isBackendDown } from "../backend-health/is-backend-down";
import type { TBackendChannel } from "./backend-channel";
import { saveBackendDiscover } from "./backend-discover-store";
import { forgetBackendEra, readBackendEra, recordBackendEra, type TBackendEra } from "./backend-era-store";
import { readBackendSession, touchBackendSession } from "./backend-session-store";
import type { TBackendTarget } from "./backend-target";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { getBackendAuthHeaders } from "./get-backend-auth-headers";
import type { TInstanceBackend } from "./get-instance-backends";
import type { TMcpClient } from "./mcp-request-context";
import type { TBackendSession } from "./mcp-session-schemas";
import { openBackendSession } from "./open-backend-session";
import { probeModernBackend } from "./probe-modern-backend";
import { resolveBackendTarget } from "./resolve-backend-target";

// Which era Tumiki speaks to a backend for one request (backend-era-store.ts has what is known).
// - A 2025 client: 2025, through a backend session, when the backend keeps sessions (it can then ask
//   the client for input mid-call, which reaches the client unchanged). A backend that refuses
//   `initialize`, or answers it without a session while it also speaks 2026-07-28, is spoken to in
//   2026-07-28: its input requests come back as InputRequiredResults, which Tumiki turns into requests
//   to the client (collect-client-answers.ts).
// - A 2026-07-28 client: 2026-07-28 whenever the backend speaks it, else 2025. Its era is probed with
//   `server/discover` first (no side effects, unlike sending the call and seeing what happens).
// A 2026-07-28 client has no session: which 2025 backend session its requests share is
// resolve-backend-target.ts's business.
//
// A verdict that a later answer contradicts is dropped and learned again (backend-era-store.ts): a
// backend that refuses both eras as Tumiki knows it is probed afresh before it is given up on.
//
// Every call passes here, so what most calls need is read at once, side by side: whether the server is
// down (server/backend-health: then it is skipped at once, without waiting for its timeout), the era
// known, the credential, and the backend session already open. Only what is not known yet costs a
// round trip.

type TKnown = {
  target: TBackendTarget;
  era: TBackendEra;
  authHeaders: Record<string, string>;
  /** The backend session this caller has open, if any. */
  stored: TBackendSession | null;
  logLevel: string | null;
  signal?: AbortSignal;
};

function continueSession(known: TKnown, session: TBackendSession): TBackendChannel {
  const { target } = known;
  // Used sessions live as long as the caller's session does, which each request extends.
  touchBackendSession({ sessionKey: target.sessionKey, mcpServerId: target.backend.mcpServerId });
  return { era: "legacy", target, session, authHeaders: known.authHeaders };
}

async function openLegacy(known: TKnown): Promise<TBackendChannel> {
  if (known.stored) return continueSession(known, known.stored);
  const session = await openBackendSession({ target: known.target, signal: known.signal });
  return { era: "legacy", target: known.target, session, authHeaders: known.authHeaders };
}

/** A modern channel, after confirming the era with `server/discover` when it is not known yet. */
async function openModern(known: TKnown, era: TBackendEra): Promise<TBackendChannel | null> {
  if (era.modern === false) return null;
  const { target, logLevel, authHeaders } = known;
  const channel = { era: "modern" as const, target, logLevel, authHeaders };
  if (era.modern === true) return channel;
  const discover = await probeModernBackend({ channel, signal: known.signal });
  await recordBackendEra({ url: target.backend.url, learned: { modern: discover !== null } });
  if (!discover) return null;
  await saveBackendDiscover({ userId: target.userId, backend: target.backend, discover });
  return channel;
}

const isEraMismatch = (error: unknown) =>
  error instanceof BackendUnavailableError && error.reason === "era_mismatch";

/** Neither era answered as known: forget it all, so the next request learns it from scratch. */
async function giveUp(known: TKnown): Promise<never> {
  await forgetBackendEra(known.target.backend.url);
  throw new BackendUnavailableError({ reason: "era_mismatch", serverName: known.target.backend.name });
}

async function resolveForLegacyClient(known: TKnown): Promise<TBackendChannel> {
  const { target } = known;
  let era = known.era;
  if (known.stored?.sessionId && era.legacy !== "refused") return continueSession(known, known.stored);
  if (era.legacy === "sessions") {
    try {
      return await openLegacy(known);
    } catch (error) {
      if (!isEraMismatch(error)) throw error;
      // It refuses `initialize` now: whatever was known of it no longer holds.
      await forgetBackendEra(target.backend.url);
      era = { modern: null, legacy: null };
    }
  }
  if (era.legacy === null) {
    try {
      const channel = await openLegacy(known);
      const legacy = channel.era === "legacy" && channel.session.sessionId ? "sessions" : "stateless";
      await recordBackendEra({ url: target.backend.url, learned: { legacy } });
      if (legacy === "sessions") return channel;
      return (await openModern(known, { ...era, legacy })) ?? channel;
    } catch (error) {
      if (!isEraMismatch(error)) throw error;
      await recordBackendEra({ url: target.backend.url, learned: { legacy: "refused" } });
      // A backend that refuses `initialize` must speak 2026-07-28: a verdict that it does not is stale.
      era = { modern: era.modern === false ? null : era.modern, legacy: "refused" };
    }
  }
  const modern = await openModern(known, era);
  if (modern) return modern;
  if (era.legacy === "stateless") return openLegacy(known);
  return giveUp(known);
}

async function resolveForModernClient(known: TKnown): Promise<TBackendChannel> {
  const modern = await openModern(known, known.era);
  if (modern) return modern;
  try {
    return await openLegacy(known);
  } catch (error) {
    if (!isEraMismatch(error)) throw error;
    await recordBackendEra({ url: known.target.backend.url, learned: { legacy: "refused" } });
    if (known.era.modern === false) {
      const relearned = await openModern(known, { modern: null, legacy: "refused" });
      if (relearned) return relearned;
    }
    return giveUp(known);
  }
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
  const [down, era, authHeaders, stored] = await Promise.all([
    isBackendDown({ backend }),
    readBackendEra(backend.url),
    getBackendAuthHeaders({ userId, backend }),
    readBackendSession({ sessionKey: target.sessionKey, mcpServerId: backend.mcpServerId }),
  ]);
  if (down) throw new BackendUnavailableError({ reason: "down", serverName: backend.name });
  // Refusing both eras cannot be a backend's lasting state: such verdicts are stale, learn them again.
  const stale = era.modern === false && era.legacy === "refused";
  if (stale) await forgetBackendEra(backend.url);
  const believed = stale ? { modern: null, legacy: null } : era;
  const known: TKnown = { target, era: believed, authHeaders, stored, logLevel: client.logLevel, signal };
  return client.era === "legacy" ? resolveForLegacyClient(known) : resolveForModernClient(known);
}
