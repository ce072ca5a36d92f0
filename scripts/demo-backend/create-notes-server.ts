import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { McpServer, type RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { TDemoMcpStats } from "./demo-stats";
import type { TDemoToolDescriptions } from "./demo-tool-descriptions";
import { generateDemoText } from "./generate-demo-text";

// The demo backend's MCP server for one session: a notes tool set over the notes of the account the
// session's token belongs to, plus tools that exercise a proxy's transport: a slow counter that reports
// progress (streaming, cancellation) and a text generator (large results). Every call is counted in the
// stats, so a test can see from outside whether a call ran to the end or was aborted.

export type TNote = { id: string; title: string; body: string; createdAt: string };

/** Notes by account id; two accounts never see each other's notes. */
export type TNotesByAccount = Map<string, TNote[]>;

const MAX_COUNT = 20;
const MAX_GENERATED_BYTES = 2_000_000;

function asText(value: unknown) {
  return { content: [{ type: "text" as const, text: JSON.stringify(value, null, 2) }] };
}

/** Runs one tool call, counting it as started, then completed or (when its request was aborted) aborted. */
async function track<T>(
  stats: TDemoMcpStats,
  tool: string,
  signal: AbortSignal,
  run: () => Promise<T>,
): Promise<T> {
  stats.toolCalls[tool] ??= { started: 0, completed: 0, aborted: 0 };
  const calls = stats.toolCalls[tool];
  calls.started += 1;
  try {
    const result = await run();
    calls.completed += 1;
    return result;
  } catch (error) {
    if (signal.aborted) calls.aborted += 1;
    throw error;
  }
}

export function createNotesServer(options: {
  accountId: string;
  notesByAccount: TNotesByAccount;
  stats: TDemoMcpStats;
  descriptions: TDemoToolDescriptions;
}): McpServer {
  const notesOf = (): TNote[] => {
    const existing = options.notesByAccount.get(options.accountId);
    if (existing) return existing;
    const created: TNote[] = [];
    options.notesByAccount.set(options.accountId, created);
    return created;
  };

  const server = new McpServer({ name: "demo-notes", version: "1.0.0" });
  // Each tool registered with the description set at run time, if any; its own is kept to restore.
  const tools = new Map<string, { own: string; handle: RegisteredTool }>();
  const register: typeof server.registerTool = (name, config, callback) => {
    const own = config.description ?? "";
    const described = { ...config, description: options.descriptions.get(name) ?? own };
    const handle = server.registerTool(name, described, callback);
    tools.set(name, { own, handle });
    return handle;
  };

  register(
    "list_notes",
    {
      title: "List notes",
      description: "Lists all notes of the signed-in account, oldest first.",
      annotations: { readOnlyHint: true },
    },
    async (extra) => track(options.stats, "list_notes", extra.signal, async () => asText(notesOf())),
  );

  register(
    "create_note",
    {
      title: "Create a note",
      description: "Creates a note with a title and a body.",
      inputSchema: { title: z.string().min(1).max(200), body: z.string().max(10_000) },
    },
    async ({ title, body }, extra) =>
      track(options.stats, "create_note", extra.signal, async () => {
        const note: TNote = { id: randomUUID(), title, body, createdAt: new Date().toISOString() };
        notesOf().push(note);
        return asText(note);
      }),
  );

  register(
    "search_notes",
    {
      title: "Search notes",
      description: "Finds the notes whose title or body contains the query (case-insensitive).",
      inputSchema: { query: z.string().min(1).max(200) },
      annotations: { readOnlyHint: true },
    },
    async ({ query }, extra) =>
      track(options.stats, "search_notes", extra.signal, async () => {
        const needle = query.toLowerCase();
        return asText(
          notesOf().filter(
            (n) => n.title.toLowerCase().includes(needle) || n.body.toLowerCase().includes(needle),
          ),
        );
      }),
  );

  register(
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
    async ({ to, delayMs = 100 }, extra) =>
      track(options.stats, "count_slowly", extra.signal, async () => {
        const progressToken = extra._meta?.progressToken;
        for (let n = 1; n <= to; n += 1) {
          // Rejects as soon as the request is cancelled or its session closes, ending the count there.
          await sleep(delayMs, undefined, { signal: extra.signal });
          if (progressToken !== undefined) {
            await extra.sendNotification({
              method: "notifications/progress",
              params: { progressToken, progress: n, total: to, message: `counted ${n}` },
            });
          }
        }
        return { content: [{ type: "text" as const, text: `Counted to ${to}.` }] };
      }),
  );

  register(
    "generate_text",
    {
      title: "Generate text",
      description: `Returns one text of exactly \`bytes\` bytes (at most ${MAX_GENERATED_BYTES}): numbered ASCII lines.`,
      inputSchema: { bytes: z.number().int().min(0).max(MAX_GENERATED_BYTES) },
      annotations: { readOnlyHint: true },
    },
    async ({ bytes }, extra) =>
      track(options.stats, "generate_text", extra.signal, async () => ({
        content: [{ type: "text" as const, text: generateDemoText({ bytes }) }],
      })),
  );

  register(
    "delete_note",
    {
      title: "Delete a note",
      description: "Deletes the note with this id, for good.",
      inputSchema: { id: z.string().min(1).max(100) },
      annotations: { destructiveHint: true },
    },
    async ({ id }, extra) =>
      track(options.stats, "delete_note", extra.signal, async () => {
        const notes = notesOf();
        const at = notes.findIndex((note) => note.id === id);
        if (at < 0) return { isError: true, content: [{ type: "text" as const, text: `No note ${id}.` }] };
        const [deleted] = notes.splice(at, 1);
        return asText(deleted);
      }),
  );

  // A changed description reaches this session's client as a list change (the SDK sends it).
  const unsubscribe = options.descriptions.subscribe((name) => {
    const tool = tools.get(name);
    tool?.handle.update({ description: options.descriptions.get(name) ?? tool.own });
  });
  const close = server.close.bind(server);
  server.close = async () => {
    unsubscribe();
    await close();
  };

  return server;
}
