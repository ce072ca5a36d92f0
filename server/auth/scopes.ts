// Tumiki's scope model (tier 1). `mcp:access:<server-slug>` grants one server of an instance,
// `mcp:access:*` every server of it. Scopes compare by exact segments: `mcp:access:not` never grants
// `notion`, and `mcp:access:notion:extra` grants nothing.

export const SCOPE_PREFIX = "mcp:access:";
export const ALL_SERVERS_SCOPE = "mcp:access:*";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

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

/** Whether `scope` is well-formed in Tumiki's model: `mcp:access:*` or `mcp:access:<slug>`. */
export function isKnownScopeShape(scope: string): boolean {
  if (scope === ALL_SERVERS_SCOPE) return true;
  return scope.startsWith(SCOPE_PREFIX) && isServerSlug(scope.slice(SCOPE_PREFIX.length));
}

/** Whether granted scopes cover the server with this slug. */
export function hasServerAccess(granted: readonly string[], slug: string): boolean {
  return granted.includes(ALL_SERVERS_SCOPE) || granted.includes(scopeForServer(slug));
}

/** Every scope an instance offers: `mcp:access:*` first, then one per server slug, sorted. */
export function getInstanceScopes(serverSlugs: readonly string[]): string[] {
  return [ALL_SERVERS_SCOPE, ...[...new Set(serverSlugs)].sort().map(scopeForServer)];
}
