import { getDb } from "../../db";
import { InvalidScopeError } from "../oauth-errors";
import { ALL_SERVERS_SCOPE, parseScopeString, scopeForServer } from "../scopes";

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
    const connections = await getDb().mcpInstanceConnection.findMany({
      where: { instanceId },
      select: { connection: { select: { mcpServer: { select: { slug: true } } } } },
    });
    const offered = new Set(connections.map((row) => scopeForServer(row.connection.mcpServer.slug)));
    if (beyondGranted.every((scope) => offered.has(scope))) return wanted;
  }
  if (beyondGranted.length > 0) {
    throw new InvalidScopeError("The requested scope exceeds what was granted.", {
      reason: "scope_widening",
    });
  }
  return wanted;
}
