import { InvalidScopeError } from "../oauth-errors";
import { resolveInstanceScopes } from "../resolve-instance-scopes";
import { ALL_SERVERS_SCOPE, parseScopeString } from "../scopes";

// The scopes of a token asked for within a grant (RFC 6749 §6 for refresh, §4.4.2 for
// client_credentials): no `scope` means everything granted; otherwise every requested entry must be
// granted, where `mcp:access:*` also covers `mcp:access:<slug>` of each server the instance bundles
// now. Asking for anything else is invalid_scope: a grant only ever narrows.

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
  const beyondGranted = wanted.filter((scope) => !granted.includes(scope));
  if (beyondGranted.length > 0 && granted.includes(ALL_SERVERS_SCOPE)) {
    const offered = (await resolveInstanceScopes({ instanceId }))?.scopes ?? [];
    if (beyondGranted.every((scope) => offered.includes(scope))) return wanted;
  }
  if (beyondGranted.length > 0) {
    throw new InvalidScopeError("The requested scope exceeds what was granted.", {
      reason: "scope_widening",
    });
  }
  return wanted;
}
