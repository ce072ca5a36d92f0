import { deriveServerSlug } from "@/server/servers/derive-server-slug";

// Ready-to-paste set-up of an instance for the AI clients users ask about most. Pure, so it is unit
// tested; each entry says where its text goes, and a note when there is an easier way.

export type TClientSnippet = { id: string; client: string; where: string; text: string; note?: string };

export function buildClientSnippets({
  id,
  name,
  url,
}: {
  /** The instance id: its start keeps the key unique when two names give the same slug. */
  id: string;
  name: string;
  url: string;
}): TClientSnippet[] {
  // A shell- and JSON-safe key: the instance name users typed may hold spaces or quotes, and names such
  // as "Work" and "work", or any two in a non-Latin script, reduce to the same slug.
  const key = `tumiki-${deriveServerSlug({ name })}-${id.slice(0, 8)}`;
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  return [
    {
      id: "claude-code",
      client: "Claude Code",
      where: "Run in a terminal",
      text: `claude mcp add --transport http ${key} ${url}`,
    },
    {
      id: "claude-desktop",
      client: "Claude Desktop",
      where: "Add to claude_desktop_config.json (needs Node.js on your PATH)",
      text: json({ mcpServers: { [key]: { command: "npx", args: ["-y", "mcp-remote", url] } } }),
      note:
        "Simpler: in Settings → Connectors, choose “Add custom connector” and paste the MCP URL; " +
        "no file or Node.js needed.",
    },
    {
      id: "cursor",
      client: "Cursor",
      where: "Add to ~/.cursor/mcp.json",
      text: json({ mcpServers: { [key]: { url } } }),
    },
    {
      id: "vscode",
      client: "VS Code",
      where: "Add to .vscode/mcp.json",
      text: json({ servers: { [key]: { type: "http", url } } }),
    },
  ];
}
