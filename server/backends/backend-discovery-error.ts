import { AppError, type AppErrorCode } from "../errors";
import type { OutboundFetchFailure } from "../net/outbound-fetch-error";

// Why Tumiki could not work out how to authenticate to a backend server. `reason` is for callers, tests
// and logs; `userMessage` says what is wrong in words the person who entered the URL can act on.

export type TBackendDiscoveryFailure =
  | "invalid_url"
  | "server_unreachable"
  | "unexpected_status"
  | "unsupported_challenge"
  | "metadata_fetch_failed"
  | "metadata_unavailable"
  | "metadata_not_found"
  | "metadata_invalid"
  | "resource_mismatch"
  | "issuer_mismatch"
  | "pkce_unsupported"
  | "unsafe_endpoint";

// A backend that misbehaves is a gateway problem (503), not a bad request from our user, except where the
// URL the user typed is itself the problem.
const CODES: Partial<Record<TBackendDiscoveryFailure, AppErrorCode>> = {
  invalid_url: "BAD_REQUEST",
  unexpected_status: "BAD_REQUEST",
};

export class BackendDiscoveryError extends AppError {
  /** When an outbound request was refused or failed: safeFetch's reason (e.g. "private_address"). */
  readonly outboundReason?: OutboundFetchFailure;

  constructor(
    readonly reason: TBackendDiscoveryFailure,
    options: {
      userMessage: string;
      message?: string;
      outboundReason?: OutboundFetchFailure;
      cause?: unknown;
    },
  ) {
    super(CODES[reason] ?? "UNAVAILABLE", {
      message: `backend discovery failed: ${reason}${options.message ? ` (${options.message})` : ""}`,
      userMessage: options.userMessage,
      cause: options.cause,
    });
    this.name = "BackendDiscoveryError";
    this.outboundReason = options.outboundReason;
  }
}
