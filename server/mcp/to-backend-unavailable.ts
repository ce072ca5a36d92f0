import { OutboundFetchError } from "../net/outbound-fetch-error";
import { BackendUnavailableError, type TBackendFailure } from "./backend-unavailable-error";

// Any failure of talking to a backend, as the one error the proxy answers with. A refused address and a
// name that does not resolve read the same ("unreachable"): telling them apart would let a user probe
// which internal host names exist (see outbound-fetch-error.ts); logs keep the cause.

const FAILURE_OF: Record<OutboundFetchError["reason"], TBackendFailure> = {
  invalid_url: "refused_url",
  unsupported_scheme: "refused_url",
  credentials_in_url: "refused_url",
  https_required: "refused_url",
  private_address: "unreachable",
  dns_failure: "unreachable",
  too_many_redirects: "http_error",
  response_too_large: "response_too_large",
  timeout: "timeout",
  aborted: "cancelled",
  network_error: "unreachable",
};

const isTimeout = (signal?: AbortSignal) =>
  signal?.aborted === true && signal.reason instanceof DOMException && signal.reason.name === "TimeoutError";

export function toBackendUnavailable({
  error,
  serverName,
  signal,
}: {
  error: unknown;
  serverName: string;
  /** The request's signal: when its deadline fired, a broken body stream is a timeout. */
  signal?: AbortSignal;
}): BackendUnavailableError {
  if (error instanceof BackendUnavailableError) return error;
  if (error instanceof OutboundFetchError) {
    return new BackendUnavailableError({ reason: FAILURE_OF[error.reason], serverName, cause: error });
  }
  const reason = isTimeout(signal) ? "timeout" : signal?.aborted ? "cancelled" : "closed_early";
  return new BackendUnavailableError({ reason, serverName, cause: error });
}
