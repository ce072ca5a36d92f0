// Tumiki's scope model (tier 1). `mcp:access:<server-slug>` grants one server of an instance,
// `mcp:access:*` every server of it, and `mcp:access:<server-slug>:<tool>` one tool of one server (its
// backend's own name), nothing else of that server. Scopes compare by exact segments:
// `mcp:access:not` never grants `notion`, and `mcp:access:notion:search` grants neither `search_all`
// nor notion's prompts and resources.

export const SCOPE_PREFIX = "mcp:access:";
export const ALL_SERVERS_SCOPE = "mcp:access:*";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** MCP tool names (2025-11-25 "Tool names"): 1 to 128 of A-Z a-z 0-9 _ - . */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function isServerSlug(value: string): boolean {
  return SLUG.test(value);
}

export function scopeForServer(slug: string): string {
  return `${SCOPE_PREFIX}${slug}`;
}

/** Splits an RFC 6749 `scope` string (space-separated) into distinct entries, in their first order. */
export function parseScopeString(scope: string | null | undefined): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(" ").filter((entry) => entry !== ""))];
}

export function formatScopeString(scopes: readonly string[]): string {
  return scopes.join(" ");
}

export function scopeForTool(slug: string, tool: string): string {
  return `${SCOPE_PREFIX}${slug}:${tool}`;
}

/** A tool scope's server slug and tool name, or null when `scope` is not `mcp:access:<slug>:<tool>`. */
export function parseToolScope(scope: string): { slug: string; tool: string } | null {
  if (!scope.startsWith(SCOPE_PREFIX)) return null;
  const rest = scope.slice(SCOPE_PREFIX.length);
  const colon = rest.indexOf(":");
  if (colon < 0) return null;
  const slug = rest.slice(0, colon);
  const tool = rest.slice(colon + 1);
  return isServerSlug(slug) && TOOL_NAME.test(tool) ? { slug, tool } : null;
}

/**
 * Whether `scope` is well-formed in Tumiki's model: `mcp:access:*`, `mcp:access:<slug>` or
 * `mcp:access:<slug>:<tool>`.
 */
export function isKnownScopeShape(scope: string): boolean {
  if (scope === ALL_SERVERS_SCOPE) return true;
  if (!scope.startsWith(SCOPE_PREFIX)) return false;
  return isServerSlug(scope.slice(SCOPE_PREFIX.length)) || parseToolScope(scope) !== null;
}

/** The server slug a well-formed server or tool scope names (null for `mcp:access:*` and others). */
export function slugOfScope(scope: string): string | null {
  if (!scope.startsWith(SCOPE_PREFIX)) return null;
  const rest = scope.slice(SCOPE_PREFIX.length);
  if (isServerSlug(rest)) return rest;
  return parseToolScope(scope)?.slug ?? null;
}

/** Whether granted scopes cover the whole server with this slug (its prompts, resources, every tool). */
export function hasServerAccess(granted: readonly string[], slug: string): boolean {
  return granted.includes(ALL_SERVERS_SCOPE) || granted.includes(scopeForServer(slug));
}

/** Whether granted scopes cover one tool (by its backend's own name) of the server with this slug. */
export function hasToolAccess(granted: readonly string[], slug: string, tool: string): boolean {
  return hasServerAccess(granted, slug) || granted.includes(scopeForTool(slug, tool));
}

/** Whether granted scopes cover at least one tool of the server with this slug. */
export function hasAnyToolAccess(granted: readonly string[], slug: string): boolean {
  return hasServerAccess(granted, slug) || granted.some((scope) => parseToolScope(scope)?.slug === slug);
}

/**
 * Whether an instance whose server-level scopes are `offered` (getInstanceScopes) offers `scope`: one of
 * those, or a tool scope of one of its servers. Tool scopes are not enumerated (a server's tools differ
 * per user and change at any time), so every well-formed tool name of a bundled server is offered; the
 * proxy answers a call to a tool the server does not have as it answers any unknown tool.
 */
export function isOfferedScope(offered: readonly string[], scope: string): boolean {
  if (offered.includes(scope)) return true;
  const tool = parseToolScope(scope);
  return tool !== null && offered.includes(scopeForServer(tool.slug));
}

/**
 * Whether granted scopes include `scope` or a wider one: `mcp:access:*` covers every scope of the
 * instance, a server's scope covers the tool scopes of that server. A tool scope covers only itself.
 */
export function isScopeCovered(granted: readonly string[], scope: string): boolean {
  if (granted.includes(scope) || granted.includes(ALL_SERVERS_SCOPE)) return true;
  const tool = parseToolScope(scope);
  return tool !== null && granted.includes(scopeForServer(tool.slug));
}

/**
 * Every server-level scope an instance offers: `mcp:access:*` first, then one per server slug, sorted.
 * Tool scopes of those servers are offered too, but not listed (see isOfferedScope).
 */
export function getInstanceScopes(serverSlugs: readonly string[]): string[] {
  return [ALL_SERVERS_SCOPE, ...[...new Set(serverSlugs)].sort().map(scopeForServer)];
}
