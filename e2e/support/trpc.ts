import type { APIRequestContext } from "@playwright/test";

// Calls a tRPC procedure the way the dashboard does (superjson envelope), with the page's session.
export async function callTrpc<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: unknown };
  if (!response.ok() || body.result?.data === undefined) {
    throw new Error(`${path} failed: ${response.status()} ${JSON.stringify(body.error ?? body)}`);
  }
  return body.result.data.json as T;
}

// Reads a tRPC query procedure as the dashboard does: queries answer GET only.
export async function queryTrpc<T>(request: APIRequestContext, path: string, input?: unknown): Promise<T> {
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await request.get(`/api/trpc/${path}${search}`);
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: unknown };
  if (!response.ok() || body.result?.data === undefined) {
    throw new Error(`${path} failed: ${response.status()} ${JSON.stringify(body.error ?? body)}`);
  }
  return body.result.data.json as T;
}

export async function createInstance(request: APIRequestContext, name: string): Promise<{ id: string }> {
  return callTrpc<{ id: string }>(request, "instance.create", { name });
}
