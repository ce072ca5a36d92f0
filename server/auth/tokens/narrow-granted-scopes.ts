import { InvalidScopeError } from "../oauth-errors";
import { resolveInstanceScopes } from "../resolve-instance-scopes";
import {
  ALL_SERVERS_SCOPE,
  isOfferedScope,
  parseScopeString,
  parseToolScope,
  scopeForServer,
} from "../scopes";

// The scopes of a token asked for within a grant (RFC 6749 §6 for refresh, §4.4.2 for
// client_credentials): no `scope` means everything granted; otherwise every requested entry must be
// granted or lie within a granted one: `mcp:access:<slug>` covers that server's tool scopes
// (`mcp:access:<slug>:<tool>`), and `mcp:access:*` covers the server and tool scopes of each server the
// instance bundles now. Asking for anything else is invalid_scope: a grant only ever narrows.

export async function narrowGrantedScopes({
  granted,
  requested,
  instanceId,
}: {
  granted: readonly string[];
  requested: string | undefined;
  instanceId: string;
}): Promise<string[]> {
  const wanted = parseScopeString(requested);
  if (wanted.length === 0) return [...granted];
  const beyondGranted = wanted.filter((scope) => {
    if (granted.includes(scope)) return false;
    const tool = parseToolScope(scope);
    return tool === null || !granted.includes(scopeForServer(tool.slug));
  });
  if (beyondGranted.length > 0 && granted.includes(ALL_SERVERS_SCOPE)) {
    const offered = (await resolveInstanceScopes({ instanceId }))?.scopes ?? [];
    if (beyondGranted.every((scope) => isOfferedScope(offered, scope))) return wanted;
  }
  if (beyondGranted.length > 0) {
    throw new InvalidScopeError("The requested scope exceeds what was granted.", {
      reason: "scope_widening",
    });
  }
  return wanted;
}
