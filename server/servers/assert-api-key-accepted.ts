import { probeMcpEndpoint } from "../backends/probe-mcp-endpoint";
import { AppError } from "../errors";
import { getLogger } from "../logger";
import { safeFetch } from "../net/safe-fetch";

type TAssertApiKeyAcceptedOptions = {
  url: string;
  headerName: string;
  apiKey: string;
  signal?: AbortSignal;
};

const PROBE_LIMITS = { maxBytes: 256 * 1024, timeoutMs: 10_000 } as const;

function refuse(reason: string, userMessage: string): never {
  throw new AppError("BAD_REQUEST", { message: `API key check failed: ${reason}`, userMessage });
}

/**
 * Probes the server with the key (probe-mcp-endpoint.ts: `server/discover`, then `initialize` for a
 * server of an earlier revision) and throws an AppError (with a userMessage saying what to fix) unless
 * it answers 2xx. Redirects are refused: the key would follow them to another host, and safeFetch
 * strips only the standard credential headers on the way.
 */
export async function assertApiKeyAccepted({
  url,
  headerName,
  apiKey,
  signal,
}: TAssertApiKeyAcceptedOptions): Promise<void> {
  // A server that checks keys checks them on its opening request, so a wrong key is caught when it is
  // entered rather than at the first tool call.
  const response = await probeMcpEndpoint({ url, headers: { [headerName]: apiKey }, signal });
  const { status } = response;
  if (status === 401 || status === 403) {
    refuse(`status ${status}`, "The server refused this API key. Check the key and the header name.");
  }
  if (status >= 300 && status < 400) {
    refuse(`status ${status}`, "The server redirected the request. Enter the URL it redirects to.");
  }
  if (status === 404 || status === 405) {
    refuse(`status ${status}`, "No MCP endpoint answered at this URL. Check the URL's path.");
  }
  if (status < 200 || status >= 300) {
    refuse(`status ${status}`, `The server answered with HTTP ${status}. Check the URL and try again.`);
  }
  // A 2025 server that opened a session for this check would keep it until it expires: end it politely.
  const sessionId = response.answered === "initialize" ? response.headers.get("mcp-session-id") : null;
  if (sessionId) {
    await safeFetch({
      url,
      method: "DELETE",
      headers: { [headerName]: apiKey, "mcp-session-id": sessionId },
      maxRedirects: 0,
      signal,
      ...PROBE_LIMITS,
    }).catch((error: unknown) =>
      getLogger().debug({ err: error }, "ending the API key check's session failed"),
    );
  }
}
