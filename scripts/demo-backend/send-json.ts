import type { ServerResponse } from "node:http";

/** A JSON answer that no cache keeps (metadata, errors and stats of the demo backend change per run). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}
