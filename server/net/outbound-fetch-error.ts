import { AppError } from "../errors";

// The error of a refused or failed outbound request (safe-fetch.ts, assert-outbound-url.ts): `reason` for
// callers, logs and tests; `userMessage` safe to show. The log message names only the origin: a path
// or query may carry something the caller considers private.

export type OutboundFetchFailure =
  | "invalid_url"
  | "unsupported_scheme"
  | "credentials_in_url"
  | "https_required"
  | "private_address"
  | "dns_failure"
  | "too_many_redirects"
  | "response_too_large"
  | "timeout"
  | "aborted"
  | "network_error";

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "an invalid URL";
  }
}

const UNREACHABLE_HOST_MESSAGE =
  "The URL's host could not be reached, or is on a private network Tumiki does not contact.";

const USER_MESSAGES: Record<OutboundFetchFailure, string> = {
  invalid_url: "The URL is not valid.",
  unsupported_scheme: "Only http and https URLs can be fetched.",
  credentials_in_url: "The URL must not contain a user name or password.",
  https_required: "The URL must use https.",
  // One message for both: telling them apart would let a user probe which internal host names exist
  // and what kind of address they resolve to. `reason` keeps them apart for logs and tests.
  private_address: UNREACHABLE_HOST_MESSAGE,
  dns_failure: UNREACHABLE_HOST_MESSAGE,
  too_many_redirects: "The URL redirected more often than allowed.",
  response_too_large: "The response was larger than allowed.",
  timeout: "The server did not answer in time.",
  aborted: "The request was cancelled.",
  network_error: "The server could not be reached.",
};

const UNSAFE_URL: ReadonlySet<OutboundFetchFailure> = new Set([
  "invalid_url",
  "unsupported_scheme",
  "credentials_in_url",
  "https_required",
  "private_address",
]);

// Only the origin: a path or query may carry something the caller considers private.
const logMessage = (reason: OutboundFetchFailure, url: string | undefined) =>
  `outbound fetch refused or failed: ${reason}${url ? ` (${safeOrigin(url)})` : ""}`;

/** A refused or failed outbound request. `reason` is for callers and logs; `userMessage` is safe to show. */
export class OutboundFetchError extends AppError {
  constructor(
    readonly reason: OutboundFetchFailure,
    options: { url?: string; cause?: unknown } = {},
  ) {
    super(UNSAFE_URL.has(reason) ? "BAD_REQUEST" : "UNAVAILABLE", {
      message: logMessage(reason, options.url),
      userMessage: USER_MESSAGES[reason],
      cause: options.cause,
    });
    this.name = "OutboundFetchError";
  }
}
