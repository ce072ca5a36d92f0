import { isServerSlug } from "../auth/scopes";

const MAX_BASE_LENGTH = 40;

/**
 * A slug for a name: lowercase ASCII letters, digits and single dashes, as scopes and tool names need
 * (`mcp:access:<slug>`, `<slug>__<tool>`). Pure, so forms may use it for previews. Not unique: the
 * caller adds a suffix when it is taken.
 */
export function deriveServerSlug({ name }: { name: string }): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, MAX_BASE_LENGTH)
    .replace(/^-+|-+$/g, "");
  return isServerSlug(base) ? base : "server";
}
