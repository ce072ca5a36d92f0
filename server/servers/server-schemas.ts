import { z } from "zod";
import { ZPreRegisteredCredentials } from "../backends/backend-schemas";
import { isLoopbackHost } from "../net/is-loopback-host";

// The shapes of server input, shared by the tRPC router, the domain functions and the forms. Pure zod,
// so client components may import it.

// Plain http only reaches a server on this machine (a development setup); anything on the network must
// be https, so the traffic Tumiki relays is never readable on the way. Whether Tumiki may contact the
// host at all is decided later by safeFetch (private addresses, the development allowlist).

function isAcceptableServerUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Credentials in a URL end up in logs and the database; a fragment is never sent to a server.
  if (url.username || url.password || url.hash) return false;
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

const ZServerName = z.string().trim().min(1, "Enter a name.").max(80, "Use at most 80 characters.");

const ZServerUrl = z
  .string()
  .trim()
  .min(1, "Enter the server's URL.")
  .max(2048, "Use at most 2048 characters.")
  .refine(isAcceptableServerUrl, {
    message: "Use an https:// URL (http:// only for localhost), without a password or #fragment.",
  });

const ZServerId = z.string().min(1).max(64);

// An RFC 9110 field name (a token). Headers that frame the request or belong to MCP itself are
// refused: a key sent as `Content-Length` or `Mcp-Session-Id` would break or hijack every call.
const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  "accept",
  "connection",
  "content-length",
  "content-type",
  "cookie",
  "host",
  "keep-alive",
  "last-event-id",
  "mcp-protocol-version",
  "mcp-session-id",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const ZApiKeyHeaderName = z
  .string()
  .trim()
  .min(1, "Enter the header name.")
  .max(100, "Use at most 100 characters.")
  .regex(HEADER_TOKEN, "Use a header name of letters, digits and dashes, e.g. Authorization or X-API-Key.")
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), {
    message: "Tumiki sets this header itself; choose another, e.g. Authorization or X-API-Key.",
  });

// Printable ASCII only: a line break in a header value would end the header (request splitting).
const ZApiKey = z
  .string()
  .trim()
  .min(1, "Enter the API key.")
  .max(4096, "Use at most 4096 characters.")
  .regex(/^[\x20-\x7e]+$/, "An API key contains only printable ASCII characters.");

export type TPreRegisteredCredentialsInput = z.infer<typeof ZPreRegisteredCredentials>;

export const ZServerAuthInput = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }),
  /** The key is sent as the header's whole value: for `Authorization`, include the scheme ("Bearer …"). */
  z.object({ type: z.literal("api_key"), headerName: ZApiKeyHeaderName, apiKey: ZApiKey }),
  z.object({ type: z.literal("oauth"), preRegistered: ZPreRegisteredCredentials.optional() }),
]);
export type TServerAuthInput = z.infer<typeof ZServerAuthInput>;

export const ZDiscoverServerInput = z.object({ url: ZServerUrl });
export type TDiscoverServerInput = z.infer<typeof ZDiscoverServerInput>;

/** `name` defaults to the URL's host. */
export const ZAddServerInput = z.object({
  name: ZServerName.optional(),
  url: ZServerUrl,
  auth: ZServerAuthInput,
});
export type TAddServerInput = z.infer<typeof ZAddServerInput>;

/**
 * No credentials: a catalog server's client serves every user, so only the operator configures it.
 * Strict, so a request that carries credentials is refused rather than quietly connected without them.
 */
export const ZConnectCatalogServerInput = z.strictObject({ serverId: ZServerId });
export type TConnectCatalogServerInput = z.infer<typeof ZConnectCatalogServerInput>;

export const ZStartServerAuthorizationInput = z.object({ serverId: ZServerId });

export const ZRemoveUserServerInput = z.object({ connectionId: z.string().min(1).max(64) });
export type TRemoveUserServerInput = z.infer<typeof ZRemoveUserServerInput>;
