import { AppError } from "../errors";

/** The refresh lock of a connection was not obtained in time (another holder, or the database lock timed out). */
export class RefreshLockTimeoutError extends AppError {
  constructor(key: string, cause?: unknown) {
    super("UNAVAILABLE", {
      message: `timed out waiting for the refresh lock of ${key}`,
      userMessage: "The server's token is being refreshed. Try again shortly.",
      cause,
    });
    this.name = "RefreshLockTimeoutError";
  }
}
