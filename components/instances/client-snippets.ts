import { deriveServerSlug } from "@/server/servers/derive-server-slug";

// Ready-to-paste set-up of an instance for the AI clients users ask about most. Pure, so it is unit
// tested; each entry says where its text goes.

export type TClientSnippet = { id: string; client: string; where: string; text: string };

export function buildClientSnippets({ name, url }: { name: string; url: string }): TClientSnippet[] {
  // A shell- and JSON-safe key: the instance name users typed may hold spaces or quotes.
  const key = `tumiki-${deriveServerSlug({ name })}`;
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
      where: "Add to claude_desktop_config.json",
      text: json({ mcpServers: { [key]: { command: "npx", args: ["-y", "mcp-remote", url] } } }),
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
