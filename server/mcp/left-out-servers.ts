import { ReAuthRequiredError } from "../backends/re-auth-required-error";
import { AppError } from "../errors";
import { BackendUnavailableError } from "./backend-unavailable-error";
import type { TInstanceBackend } from "./get-instance-backends";

// The servers an aggregated answer (initialize, server/discover, a list) had to leave out, so a client
// can tell "this server has no tools" from "this server could not be asked". They go in the result's
// `_meta` under "tumiki/unavailableServers", with the same reasons a failed call gives in its
// "tumiki/error" (build-failure-answer.ts): "down" (skipped while its circuit is open), "timeout",
// "unreachable", "http_error", "re_auth_required", ...

export const UNAVAILABLE_SERVERS_META = "tumiki/unavailableServers";

export type TLeftOutServer = { id: string; slug: string; name: string; reason: string };

export function describeLeftOutServer({
  backend,
  error,
}: {
  backend: TInstanceBackend;
  error: unknown;
}): TLeftOutServer {
  const reason =
    error instanceof BackendUnavailableError
      ? error.reason
      : error instanceof ReAuthRequiredError
        ? "re_auth_required"
        : error instanceof AppError && error.code === "UNAVAILABLE"
          ? "token_refresh_unavailable"
          : "internal_error";
  return { id: backend.mcpServerId, slug: backend.slug, name: backend.name, reason };
}

/** The `_meta` to spread into a result: nothing when every server answered. */
export const leftOutMeta = (leftOut: TLeftOutServer[]) =>
  leftOut.length > 0 ? { _meta: { [UNAVAILABLE_SERVERS_META]: leftOut } } : {};
