import { AppError } from "../errors";

// A backend server that could not answer one request: down, slow, refusing, or answering something that is
// not MCP ("down": skipped without being asked, server/backend-health). It affects only that server's tools;
// the proxy turns it into an error the caller can read (a tool result with isError for tools/call, a JSON-RPC
// error otherwise) and leaves it out of lists.

export type TBackendFailure =
  | "timeout"
  | "unreachable"
  | "refused_url"
  | "http_error"
  | "invalid_response"
  | "response_too_large"
  | "closed_early"
  | "cancelled"
  | "era_mismatch"
  | "down";

const DESCRIPTIONS: Record<TBackendFailure, string> = {
  timeout: "it did not answer in time",
  unreachable: "it could not be reached",
  refused_url: "its URL is not one Tumiki may contact",
  http_error: "it answered with an HTTP error",
  invalid_response: "its answer was not a valid MCP response",
  response_too_large: "its answer was larger than Tumiki accepts",
  closed_early: "it closed the connection before answering",
  cancelled: "the request was cancelled",
  era_mismatch: "it does not speak the MCP protocol revision Tumiki used",
  down: "its recent requests failed, so Tumiki skips it until it answers again",
};

export class BackendUnavailableError extends AppError {
  readonly reason: TBackendFailure;
  readonly serverName: string;
  /** The backend's HTTP status, when it answered with one that failed the request. */
  readonly backendStatus: number | null;

  constructor(options: { reason: TBackendFailure; serverName: string; status?: number; cause?: unknown }) {
    const detail = options.status ? ` (HTTP ${options.status})` : "";
    super("UNAVAILABLE", {
      message: `backend ${options.serverName} unavailable: ${options.reason}${detail}`,
      userMessage: `${options.serverName} is unavailable: ${DESCRIPTIONS[options.reason]}${detail}. Try again later.`,
      cause: options.cause,
    });
    this.name = "BackendUnavailableError";
    this.reason = options.reason;
    this.serverName = options.serverName;
    this.backendStatus = options.status ?? null;
  }
}
