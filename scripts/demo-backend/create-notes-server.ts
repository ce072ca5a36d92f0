import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

// The demo backend's MCP server for one session: a notes tool set over the notes of the account the
// session's token belongs to, plus a slow counter that reports progress (to exercise streaming).

export type TNote = { id: string; title: string; body: string; createdAt: string };

/** Notes by account id; two accounts never see each other's notes. */
export type TNotesByAccount = Map<string, TNote[]>;

const MAX_COUNT = 20;

function asText(value: unknown) {
  return { content: [{ type: "text" as const, text: JSON.stringify(value, null, 2) }] };
}

export function createNotesServer(options: {
  accountId: string;
  notesByAccount: TNotesByAccount;
}): McpServer {
  const notesOf = (): TNote[] => {
    const existing = options.notesByAccount.get(options.accountId);
    if (existing) return existing;
    const created: TNote[] = [];
    options.notesByAccount.set(options.accountId, created);
    return created;
  };

  const server = new McpServer({ name: "demo-notes", version: "1.0.0" });

  server.registerTool(
    "list_notes",
    {
      title: "List notes",
      description: "Lists all notes of the signed-in account, oldest first.",
      annotations: { readOnlyHint: true },
    },
    async () => asText(notesOf()),
  );

  server.registerTool(
    "create_note",
    {
      title: "Create a note",
      description: "Creates a note with a title and a body.",
      inputSchema: { title: z.string().min(1).max(200), body: z.string().max(10_000) },
    },
    async ({ title, body }) => {
      const note: TNote = { id: randomUUID(), title, body, createdAt: new Date().toISOString() };
      notesOf().push(note);
      return asText(note);
    },
  );

  server.registerTool(
    "search_notes",
    {
      title: "Search notes",
      description: "Finds the notes whose title or body contains the query (case-insensitive).",
      inputSchema: { query: z.string().min(1).max(200) },
      annotations: { readOnlyHint: true },
    },
    async ({ query }) => {
      const needle = query.toLowerCase();
      return asText(
        notesOf().filter(
          (n) => n.title.toLowerCase().includes(needle) || n.body.toLowerCase().includes(needle),
        ),
      );
    },
  );

  server.registerTool(
    "count_slowly",
    {
      title: "Count slowly",
      description: `Counts from 1 to \`to\` (at most ${MAX_COUNT}), waiting \`delayMs\` between numbers and reporting each as progress.`,
      inputSchema: {
        to: z.number().int().min(1).max(MAX_COUNT),
        delayMs: z.number().int().min(0).max(5_000).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    async ({ to, delayMs = 100 }, extra) => {
      const progressToken = extra._meta?.progressToken;
      for (let n = 1; n <= to; n += 1) {
        await sleep(delayMs, undefined, { signal: extra.signal });
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress: n, total: to, message: `counted ${n}` },
          });
        }
      }
      return { content: [{ type: "text", text: `Counted to ${to}.` }] };
    },
  );

  return server;
}
