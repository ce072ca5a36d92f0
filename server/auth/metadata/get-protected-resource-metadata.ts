import { z } from "zod";
import { resolveInstanceScopes } from "../resolve-instance-scopes";
import { getAppUrl, getInstanceResourceUrl, getIssuer } from "../resource-urls";

// RFC 9728 protected-resource metadata of one instance (path-inserted: the metadata of
// `${APP_URL}/mcp/<id>` lives at `/.well-known/oauth-protected-resource/mcp/<id>`). It is public, so
// it names no user and not the instance's own name, only what a client needs to start authorization.

export const ZProtectedResourceMetadata = z.object({
  resource: z.string(),
  authorization_servers: z.array(z.string()),
  scopes_supported: z.array(z.string()),
  bearer_methods_supported: z.array(z.string()),
  resource_name: z.string(),
  resource_documentation: z.string(),
});

export type TProtectedResourceMetadata = z.infer<typeof ZProtectedResourceMetadata>;

/** The instance's metadata, or null when no such instance exists. */
export async function getProtectedResourceMetadata({
  instanceId,
}: {
  instanceId: string;
}): Promise<TProtectedResourceMetadata | null> {
  const resolved = await resolveInstanceScopes({ instanceId });
  if (!resolved) return null;
  return {
    resource: getInstanceResourceUrl(resolved.instance.id),
    // Only Tumiki's own issuer: an external issuer's tokens are accepted, but clients must register and
    // authorize here, where consent and the instance binding are enforced.
    authorization_servers: [getIssuer()],
    // Server-level scopes only. Tool scopes (`mcp:access:<slug>:<tool>`) are accepted for every bundled
    // server but not enumerated: a server's tool list differs per user (each connects with their own
    // account) and changes whenever the backend changes, and this document is public and cacheable.
    scopes_supported: resolved.scopes,
    bearer_methods_supported: ["header"],
    resource_name: "Tumiki MCP instance",
    resource_documentation: getAppUrl("/"),
  };
}
