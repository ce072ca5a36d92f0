import { setTimeout as sleep } from "node:timers/promises";
import { getLogger } from "../../logger";
import { BackendUnavailableError } from "../backend-unavailable-error";
import type { TJsonRpcMessage } from "../json-rpc-schemas";
import type { TBackendFeed } from "./open-legacy-backend-feed";

// Keeps one backend's notification stream open for as long as a client's stream lives: it is opened
// again after it breaks (with a growing pause, and from the last event id when the backend gave ids).
// `ready` resolves once the first attempt is settled (open, offered no stream, or failed), so a client's
// stream can acknowledge without waiting on a backend that is down. After a reconnection `onReconnected`
// runs: what the backend said while it was away is lost, so the caller tells the client to refresh.

const PAUSES_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
/**
 * A backend allows one GET stream per session and answers another 409: the stream that held it (an
 * older stream of the same session, just taken over) lets go of it within moments, so the next try
 * comes soon, a few times.
 */
const CONFLICT_PAUSE_MS = 100;
const CONFLICT_TRIES = 30;

export function followBackendFeed({
  server,
  open,
  signal,
  onMessage,
  onReconnected,
}: {
  /** The backend's slug, for the log. */
  server: string;
  open: (lastEventId: string | undefined) => Promise<TBackendFeed | null>;
  signal: AbortSignal;
  onMessage: (message: TJsonRpcMessage) => Promise<void> | void;
  onReconnected?: () => void;
}): { ready: Promise<void> } {
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const run = async () => {
    let lastEventId: string | undefined;
    let failures = 0;
    let conflicts = 0;
    let connections = 0;
    while (!signal.aborted) {
      try {
        const feed = await open(lastEventId);
        markReady();
        if (!feed) return;
        connections += 1;
        if (connections > 1) onReconnected?.();
        failures = 0;
        for await (const message of feed.messages) await onMessage(message);
        lastEventId = feed.cursor?.lastEventId;
      } catch (error) {
        if (signal.aborted) return;
        if (
          error instanceof BackendUnavailableError &&
          error.backendStatus === 409 &&
          conflicts < CONFLICT_TRIES
        ) {
          conflicts += 1;
          await sleep(CONFLICT_PAUSE_MS, undefined, { signal }).catch(() => undefined);
          continue;
        }
        markReady();
        getLogger().debug({ err: error, server }, "a backend's notification stream broke");
      }
      const pause = PAUSES_MS[Math.min(failures, PAUSES_MS.length - 1)] ?? 30_000;
      failures += 1;
      await sleep(pause, undefined, { signal }).catch(() => undefined);
    }
  };
  void run();
  return { ready };
}
