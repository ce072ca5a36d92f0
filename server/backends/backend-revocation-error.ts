import { AppError } from "../errors";

/** Why a revocation failed: an OAuth error code, `http_<status>`, or a safeFetch failure reason. */
export class BackendRevocationError extends AppError {
  constructor(
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super("UNAVAILABLE", {
      message: `backend token revocation failed: ${reason}`,
      userMessage: "The backend's authorization server did not confirm the revocation.",
      cause: options.cause,
    });
    this.name = "BackendRevocationError";
  }
}
