import { OutboundFetchError } from "../net/outbound-fetch-error";
import { BackendUnavailableError, type TBackendFailure } from "./backend-unavailable-error";

const FAILURE_OF: Record<OutboundFetchError["reason"], TBackendFailure> = {
  invalid_url: "refused_url",
  unsupported_scheme: "refused_url",
  credentials_in_url: "refused_url",
  https_required: "refused_url",
  private_address: "refused_url",
  dns_failure: "unreachable",
  too_many_redirects: "http_error",
  response_too_large: "response_too_large",
  timeout: "timeout",
  network_error: "unreachable",
};

/** Any failure of talking to a backend, as the one error the proxy knows how to answer. */
export function toBackendUnavailable(
  error: unknown,
  serverName: string,
  aborted?: AbortSignal,
): BackendUnavailableError {
  if (error instanceof BackendUnavailableError) return error;
  if (error instanceof OutboundFetchError) {
    return new BackendUnavailableError({ reason: FAILURE_OF[error.reason], serverName, cause: error });
  }
  // A timeout signal that fired mid-body surfaces as an AbortError from the stream.
  const reason =
    aborted?.aborted && aborted.reason instanceof DOMException && aborted.reason.name === "TimeoutError"
      ? "timeout"
      : "closed_early";
  return new BackendUnavailableError({ reason, serverName, cause: error });
}
