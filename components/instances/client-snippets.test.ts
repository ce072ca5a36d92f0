import { describe, expect, it } from "vitest";
import { buildClientSnippets } from "./client-snippets";

const id = "3f1e2d4c-1111-4222-8333-444455556666";
const url = `https://tumiki.example/mcp/${id}`;

describe("buildClientSnippets", () => {
  it("builds the Claude Code command with a shell-safe name", () => {
    const [claudeCode] = buildClientSnippets({ id, name: `My "work"; rm -rf /`, url });
    expect(claudeCode?.text).toBe(`claude mcp add --transport http tumiki-my-work-rm-rf-3f1e2d4c ${url}`);
  });

  it("builds JSON configs that parse and point at the URL", () => {
    const snippets = buildClientSnippets({ id, name: "Work", url });
    const byId = Object.fromEntries(snippets.map((snippet) => [snippet.id, snippet.text]));
    const key = "tumiki-work-3f1e2d4c";
    expect(JSON.parse(byId["claude-desktop"] ?? "")).toEqual({
      mcpServers: { [key]: { command: "npx", args: ["-y", "mcp-remote", url] } },
    });
    expect(JSON.parse(byId.cursor ?? "")).toEqual({ mcpServers: { [key]: { url } } });
    expect(JSON.parse(byId.vscode ?? "")).toEqual({ servers: { [key]: { type: "http", url } } });
  });

  it("gives instances whose names reduce to the same slug different keys", () => {
    const keyOf = (instanceId: string, name: string) =>
      buildClientSnippets({ id: instanceId, name, url })[0]?.text.split(" ")[5];
    const first = keyOf(id, "日本語");
    const second = keyOf("9a8b7c6d-2222-4333-8444-555566667777", "中文");
    expect(first).toBe("tumiki-server-3f1e2d4c");
    expect(second).toBe("tumiki-server-9a8b7c6d");
  });

  it("tells Claude Desktop users about the custom connector, which needs no Node.js", () => {
    const desktop = buildClientSnippets({ id, name: "Work", url }).find((s) => s.id === "claude-desktop");
    expect(desktop?.note).toContain("Add custom connector");
    expect(desktop?.where).toContain("Node.js");
  });
});
