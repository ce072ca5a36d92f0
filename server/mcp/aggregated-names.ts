import { NAME_SEPARATOR } from "../protocol/mcp-protocol";
import type { TInstanceBackend } from "./get-instance-backends";

// How one instance shows its servers' tools, prompts and resources to a client, and how a client's
// name or URI is traced back. With one server nothing is renamed. With several, names become
// `<slug>__<name>` and URIs `tumiki.<slug>.<uri>` (a valid URI scheme when the original has one, and
// template variables survive). Slugs contain neither "__" nor ".", so the first separator splits
// exactly, whatever the original name or URI contains.

const URI_PREFIX = "tumiki.";

type TResolvedName = { backend: TInstanceBackend; name: string };

const isAggregated = (backends: readonly TInstanceBackend[]) => backends.length > 1;

export function exposeName(backends: readonly TInstanceBackend[], backend: TInstanceBackend, name: string) {
  return isAggregated(backends) ? `${backend.slug}${NAME_SEPARATOR}${name}` : name;
}

export function exposeUri(backends: readonly TInstanceBackend[], backend: TInstanceBackend, uri: string) {
  return isAggregated(backends) ? `${URI_PREFIX}${backend.slug}.${uri}` : uri;
}

/** The server and its own name for a tool or prompt name the client sent; null when none matches. */
export function resolveName(backends: readonly TInstanceBackend[], exposed: string): TResolvedName | null {
  if (!isAggregated(backends)) {
    const [only] = backends;
    return only ? { backend: only, name: exposed } : null;
  }
  const at = exposed.indexOf(NAME_SEPARATOR);
  if (at <= 0) return null;
  const backend = backends.find((b) => b.slug === exposed.slice(0, at));
  const name = exposed.slice(at + NAME_SEPARATOR.length);
  return backend && name ? { backend, name } : null;
}

/** The server and its own URI for a resource URI the client sent; null when none matches. */
export function resolveUri(backends: readonly TInstanceBackend[], exposed: string): TResolvedName | null {
  if (!isAggregated(backends)) {
    const [only] = backends;
    return only ? { backend: only, name: exposed } : null;
  }
  if (!exposed.startsWith(URI_PREFIX)) return null;
  const rest = exposed.slice(URI_PREFIX.length);
  const dot = rest.indexOf(".");
  if (dot <= 0) return null;
  const backend = backends.find((b) => b.slug === rest.slice(0, dot));
  const uri = rest.slice(dot + 1);
  return backend && uri ? { backend, name: uri } : null;
}
