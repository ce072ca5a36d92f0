import type { TBackendTarget } from "./backend-target";
import type { TBackendSession } from "./mcp-session-schemas";

/**
 * How Tumiki speaks to one backend for one request, in the backend's era: a legacy (2025) backend
 * through a session opened with `initialize`; a modern (2026-07-28) backend statelessly, every request
 * carrying the `_meta` envelope. The client's era is another matter: Tumiki translates between the two
 * (resolve-backend-channel.ts picks the backend's side).
 */
export type TBackendChannel = (
  | { era: "legacy"; session: TBackendSession }
  | {
      era: "modern";
      /** The level the client asked logs at for this request; null: the backend sends none. */
      logLevel: string | null;
    }
) & {
  target: TBackendTarget;
  /**
   * The credential, when it was read while the channel was resolved (in parallel: both are on every
   * call's path). A backend that refuses it gets a fresh one (post-to-backend.ts).
   */
  authHeaders?: Record<string, string>;
};
