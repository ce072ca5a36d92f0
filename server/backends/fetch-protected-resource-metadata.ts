import { z } from "zod";
import { BackendDiscoveryError } from "./backend-discovery-error";
import { fetchMetadataDocument } from "./fetch-metadata-document";

// RFC 9728 protected resource metadata of a backend MCP server, found as the MCP spec requires: the URL in
// the 401's `resource_metadata` when there is one (and then it must exist), else the path-inserted
// well-known URL, then the root one. Returns null only when neither well-known URL has a document.
//
// Which `resource` values are accepted for a server URL. RFC 9728 §3.3 wants `resource` identical to the
// identifier the well-known URL was built from; for the root URL that identifier is the bare origin, so a
// root document legitimately names `https://host` while the MCP endpoint is `https://host/mcp`, and the
// MCP spec's canonical-URI examples include bare origins. So a resource is accepted when it equals the
// server URL or is a same-origin prefix of it ending at a path-segment boundary (what the MCP TypeScript
// SDK's checkResourceAllowed accepts), and the token is then requested for that resource. Another origin,
// a more specific path, a query that differs or a fragment are refused: the document would describe some
// other resource. Scheme and host case and default ports are normalised by the URL parser (the MCP spec
// asks clients to accept upper-case scheme and host); one trailing slash is ignored.

const ZProtectedResourceMetadata = z.object({
  resource: z.string(),
  authorization_servers: z.array(z.string()).min(1),
  scopes_supported: z.array(z.string()).optional(),
});

export type TProtectedResourceMetadata = z.infer<typeof ZProtectedResourceMetadata>;

const LABEL = "protected resource metadata";

const withoutTrailingSlash = (path: string) => (path.endsWith("/") ? path.slice(0, -1) : path);

function isResourceForServer(resource: string, serverUrl: URL): boolean {
  let named: URL;
  try {
    named = new URL(resource);
  } catch {
    return false;
  }
  if (named.hash || named.origin !== serverUrl.origin) return false;
  const namedPath = withoutTrailingSlash(named.pathname);
  const serverPath = withoutTrailingSlash(serverUrl.pathname);
  if (named.search) return named.search === serverUrl.search && namedPath === serverPath;
  return namedPath === serverPath || serverPath.startsWith(`${namedPath}/`);
}

function wellKnownCandidates(serverUrl: URL): string[] {
  const path = withoutTrailingSlash(serverUrl.pathname);
  const root = `${serverUrl.origin}/.well-known/oauth-protected-resource`;
  return path ? [`${root}${path}`, root] : [root];
}

export async function fetchProtectedResourceMetadata({
  serverUrl,
  resourceMetadataUrl,
  signal,
}: {
  serverUrl: string;
  /** From the 401's WWW-Authenticate `resource_metadata`. */
  resourceMetadataUrl?: string;
  signal?: AbortSignal;
}): Promise<{ metadata: TProtectedResourceMetadata; url: string } | null> {
  const server = new URL(serverUrl);
  let found: { metadata: TProtectedResourceMetadata; url: string } | undefined;

  if (resourceMetadataUrl !== undefined) {
    if (!URL.canParse(resourceMetadataUrl, serverUrl)) {
      throw new BackendDiscoveryError("metadata_invalid", {
        message: "resource_metadata in WWW-Authenticate is not a URL",
        userMessage: "The server's 401 response names a resource metadata URL that is not valid.",
      });
    }
    const url = new URL(resourceMetadataUrl, serverUrl).toString();
    const result = await fetchMetadataDocument({
      url,
      schema: ZProtectedResourceMetadata,
      label: LABEL,
      signal,
    });
    if (!result.found) {
      throw new BackendDiscoveryError("metadata_not_found", {
        message: `resource_metadata answered HTTP ${result.status}`,
        userMessage: `The server's 401 response points to protected resource metadata at ${new URL(url).origin}, which answered HTTP ${result.status}.`,
      });
    }
    found = { metadata: result.document, url };
  } else {
    for (const url of wellKnownCandidates(server)) {
      const result = await fetchMetadataDocument({
        url,
        schema: ZProtectedResourceMetadata,
        label: LABEL,
        signal,
      });
      if (result.found) {
        found = { metadata: result.document, url };
        break;
      }
    }
  }
  if (!found) return null;

  if (!isResourceForServer(found.metadata.resource, server)) {
    throw new BackendDiscoveryError("resource_mismatch", {
      message: "protected resource metadata names another resource",
      userMessage: `The server's protected resource metadata names resource ${found.metadata.resource}, which is not this server's URL (${serverUrl}).`,
    });
  }
  return found;
}
