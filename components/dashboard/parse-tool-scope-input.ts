import {
  ALL_SERVERS_SCOPE,
  hasServerAccess,
  parseToolScope,
  SCOPE_PREFIX,
  scopeForServer,
  scopeForTool,
} from "@/server/auth/scopes";

// The "Limit to tools" field of the API key and machine-to-machine client forms: space- (or comma-)
// separated `<server>:<tool>` or full `mcp:access:<server>:<tool>` entries, turned into tool scopes of
// the chosen instance's servers. The server checks the same again; this gives the message at the field.

export type TToolScopeInput = { scopes: string[]; error?: undefined } | { scopes?: undefined; error: string };

export function parseToolScopeInput({
  text,
  offeredScopes,
  selectedScopes,
}: {
  text: string;
  /** The instance's server-level scopes (`mcp:access:*`, `mcp:access:<slug>` …). */
  offeredScopes: readonly string[];
  /** The server-level scopes ticked beside the field (of this instance). */
  selectedScopes: readonly string[];
}): TToolScopeInput {
  const entries = text.split(/[\s,]+/).filter((entry) => entry !== "");
  const scopes: string[] = [];
  for (const entry of entries) {
    const tool = parseToolScope(entry.startsWith(SCOPE_PREFIX) ? entry : `${SCOPE_PREFIX}${entry}`);
    if (!tool) {
      return {
        error: `“${entry}” is not a tool: write <server>:<tool> (letters, digits, _ . - in the tool's name).`,
      };
    }
    if (!offeredScopes.includes(scopeForServer(tool.slug))) {
      return { error: `This instance has no server “${tool.slug}”.` };
    }
    if (hasServerAccess(selectedScopes, tool.slug)) {
      const wider = selectedScopes.includes(ALL_SERVERS_SCOPE)
        ? ALL_SERVERS_SCOPE
        : scopeForServer(tool.slug);
      return {
        error: `${wider} already grants every tool of ${tool.slug}: untick it to limit access to tools.`,
      };
    }
    scopes.push(scopeForTool(tool.slug, tool.tool));
  }
  return { scopes: [...new Set(scopes)] };
}
