import { describe, expect, it } from "vitest";
import { buildClientSnippets } from "./client-snippets";

const url = "https://tumiki.example/mcp/3f1e2d4c-1111-4222-8333-444455556666";

describe("buildClientSnippets", () => {
  it("builds the Claude Code command with a shell-safe name", () => {
    const [claudeCode] = buildClientSnippets({ name: `My "work"; rm -rf /`, url });
    expect(claudeCode?.text).toBe(`claude mcp add --transport http tumiki-my-work-rm-rf ${url}`);
  });

  it("builds JSON configs that parse and point at the URL", () => {
    const snippets = buildClientSnippets({ name: "Work", url });
    const byId = Object.fromEntries(snippets.map((snippet) => [snippet.id, snippet.text]));
    expect(JSON.parse(byId["claude-desktop"] ?? "")).toEqual({
      mcpServers: { "tumiki-work": { command: "npx", args: ["-y", "mcp-remote", url] } },
    });
    expect(JSON.parse(byId.cursor ?? "")).toEqual({ mcpServers: { "tumiki-work": { url } } });
    expect(JSON.parse(byId.vscode ?? "")).toEqual({ servers: { "tumiki-work": { type: "http", url } } });
  });
});
