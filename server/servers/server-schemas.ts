import { z } from "zod";
import { isLoopbackHost } from "../net/is-loopback-host";

// The shapes of server input, shared by the tRPC router, the domain functions and the forms. Pure zod,
// so client components may import it.

// Plain http only reaches a server on this machine (a development setup); anything on the network must
// be https, so the traffic Tumiki relays is never readable on the way.

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

export const ZAddUnauthenticatedServerInput = z.object({ name: ZServerName, url: ZServerUrl });
export type TAddUnauthenticatedServerInput = z.infer<typeof ZAddUnauthenticatedServerInput>;

export const ZRemoveUserServerInput = z.object({ connectionId: z.string().min(1).max(64) });
export type TRemoveUserServerInput = z.infer<typeof ZRemoveUserServerInput>;
