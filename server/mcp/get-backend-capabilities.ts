import type { TBackendChannel } from "./backend-channel";
import { readBackendDiscover, saveBackendDiscover } from "./backend-discover-store";
import { probeModernBackend } from "./probe-modern-backend";

// What a backend offers, in either era: a 2025 backend said it at `initialize` (kept with its session);
// a 2026-07-28 backend says it in `server/discover` (kept as long as it allows, backend-discover-store.ts).
// A 2026-07-28 backend that no longer answers discover is taken to offer nothing.

export async function getBackendCapabilities({
  channel,
  signal,
}: {
  channel: TBackendChannel;
  signal?: AbortSignal;
}): Promise<Record<string, unknown>> {
  if (channel.era === "legacy") return channel.session.capabilities;
  const { userId, backend } = channel.target;
  const cached = await readBackendDiscover({ userId, backend });
  if (cached) return cached.capabilities;
  const discover = await probeModernBackend({ channel, signal });
  if (!discover) return {};
  await saveBackendDiscover({ userId, backend, discover });
  return discover.capabilities;
}
