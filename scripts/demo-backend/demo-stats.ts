import { z } from "zod";

// What the demo backend counts, served at GET /__demo/stats: tests and e2e specs run the backend in
// another process (Playwright) or behind Tumiki, and read from here what reached it (token requests
// at the AS; tool calls and cancellations at the MCP endpoints).

const ZToolCallStats = z.object({
  started: z.number().int(),
  completed: z.number().int(),
  /** Calls whose request was cancelled (notifications/cancelled) or whose session closed mid-call. */
  aborted: z.number().int(),
});

export const ZDemoStats = z.object({
  /** Requests that reached the token endpoint, by grant_type (successes and failures). */
  tokenRequests: z.record(z.string(), z.number().int()),
  registrations: z.number().int(),
  revocations: z.number().int(),
  mcp: z.object({
    /** By tool name, over both MCP endpoints (/mcp and /public/mcp). */
    toolCalls: z.record(z.string(), ZToolCallStats),
    /** notifications/cancelled messages received. */
    cancellations: z.number().int(),
  }),
});

export type TDemoStats = z.infer<typeof ZDemoStats>;
export type TDemoMcpStats = TDemoStats["mcp"];

export function createDemoStats(): TDemoStats {
  return { tokenRequests: {}, registrations: 0, revocations: 0, mcp: { toolCalls: {}, cancellations: 0 } };
}
