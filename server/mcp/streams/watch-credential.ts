import { getEnv } from "../../env";
import { getLogger } from "../../logger";

// A long-lived stream was authorized once, when it opened; the credential may be revoked or expire
// while it stays open for minutes. So it is checked again every MCP_STREAM_AUTH_RECHECK_SECONDS, the
// way a new request would be (revocation, expiry, the instance still the user's), and the stream ends
// as soon as it no longer holds: the client reconnects and meets the 401. A check that cannot be made
// (the database unreachable) proves nothing either way and leaves the stream open.

export function watchCredential({
  recheckAuth,
  signal,
  onRevoked,
}: {
  /** Whether the request's credential still authorizes it (with-mcp-auth.ts). */
  recheckAuth: () => Promise<boolean>;
  /** The stream's end: the watch stops with it. */
  signal: AbortSignal;
  onRevoked: () => void;
}): void {
  if (signal.aborted) return;
  const timer = setInterval(async () => {
    try {
      if (!(await recheckAuth())) {
        clearInterval(timer);
        onRevoked();
      }
    } catch (error) {
      getLogger().warn({ err: error }, "re-checking a stream's credential failed");
    }
  }, getEnv().MCP_STREAM_AUTH_RECHECK_SECONDS * 1000);
  timer.unref?.();
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
}
