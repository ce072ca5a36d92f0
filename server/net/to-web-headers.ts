import type { IncomingMessage } from "node:http";

/** A node:http response's headers as Web `Headers`, repeated headers kept as repeated entries. */
export function toWebHeaders(response: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    for (const entry of Array.isArray(value) ? value : [value]) headers.append(name, entry);
  }
  return headers;
}
