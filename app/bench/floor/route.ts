import { getEnv } from "@/server/env";

// The framework floor of `npm run bench`: the least a Next.js route of this build can do to proxy an
// MCP request (read the body, one fetch to the backend, stream the answer back), with no auth, routing,
// session or cache. The bench measures it beside /mcp/{instanceId}, so the difference between the two
// is Tumiki's own work rather than Next.js's or the network's. It serves only while the bench has set
// BENCH_FLOOR_ROUTE=1 on the server it starts; everywhere else it answers like a route that does not
// exist, so production never has an open forwarder.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** What an MCP backend needs from the client's request; nothing else is passed on. */
const FORWARDED_REQUEST_HEADERS = [
  "authorization",
  "mcp-session-id",
  "mcp-protocol-version",
  "accept",
  "content-type",
];
const RETURNED_RESPONSE_HEADERS = ["content-type", "mcp-session-id"];

const notFound = () =>
  Response.json(
    { error: { code: "NOT_FOUND", message: "Nothing lives at this URL." } },
    { status: 404, headers: { "Cache-Control": "no-store" } },
  );

const pick = (from: Headers, names: readonly string[]): Headers => {
  const picked = new Headers();
  for (const name of names) {
    const value = from.get(name);
    if (value !== null) picked.set(name, value);
  }
  return picked;
};

export async function POST(request: Request): Promise<Response> {
  const { BENCH_FLOOR_ROUTE, BENCH_FLOOR_TARGET_URL } = getEnv();
  if (BENCH_FLOOR_ROUTE !== "1" || !BENCH_FLOOR_TARGET_URL) return notFound();

  const upstream = await fetch(BENCH_FLOOR_TARGET_URL, {
    method: "POST",
    headers: pick(request.headers, FORWARDED_REQUEST_HEADERS),
    body: await request.arrayBuffer(),
    // A client that gives up ends the backend request too, as the proxy does.
    signal: request.signal,
    redirect: "manual",
  });
  return new Response(upstream.body, {
    status: upstream.status,
    headers: pick(upstream.headers, RETURNED_RESPONSE_HEADERS),
  });
}
