import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { demoBackendPublicMcpUrl } from "./demo-backend";

// The demo backend's tools as it lists them itself, without Tumiki: its endpoint without authentication
// serves the same notes server as the OAuth one. What the proxy lists for an instance that bundles only
// this server must be exactly these, in this order, under the same names.

export async function listDemoToolsDirectly(): Promise<Tool[]> {
  const client = new Client({ name: "e2e-direct", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(demoBackendPublicMcpUrl)));
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
  }
}
