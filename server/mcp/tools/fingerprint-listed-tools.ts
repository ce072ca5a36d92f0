import { createHash } from "node:crypto";
import { canonicalJson } from "../../protocol/canonical-json";

// What a client was shown of one server's tools, as one short string: equal strings mean the client
// would see exactly the same tools again. Every field of each item counts (a client reads _meta and
// icons too, not only what a pin covers); the order the server listed them in does not.

const nameOf = (item: Record<string, unknown>) => (typeof item.name === "string" ? item.name : "");

export function fingerprintListedTools(items: readonly Record<string, unknown>[]): string {
  const sorted = items
    .map((item) => ({ name: nameOf(item), text: canonicalJson(item) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.text < b.text ? -1 : 1));
  const hash = createHash("sha256");
  for (const { text } of sorted) hash.update(`${text}\n`);
  return hash.digest("base64url");
}
