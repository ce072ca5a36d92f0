import { describe, expect, it } from "vitest";
import { parseToolScopeInput } from "./parse-tool-scope-input";

const offeredScopes = ["mcp:access:*", "mcp:access:linear", "mcp:access:notion"];

const parse = (text: string, selectedScopes: string[] = []) =>
  parseToolScopeInput({ text, offeredScopes, selectedScopes });

describe("parseToolScopeInput", () => {
  it("is empty for an empty field", () => {
    expect(parse("  ")).toEqual({ scopes: [] });
  });

  it("turns <server>:<tool> and full scopes, space or comma separated, into distinct tool scopes", () => {
    expect(parse(" notion:search,linear:create_issue  mcp:access:notion:search notion:v1.get-page")).toEqual({
      scopes: ["mcp:access:notion:search", "mcp:access:linear:create_issue", "mcp:access:notion:v1.get-page"],
    });
  });

  it("refuses entries that name no tool, with the entry in the message", () => {
    for (const entry of [
      "notion",
      "notion:",
      "notion:a/b",
      "Notion:search",
      "mcp:access:*",
      `notion:${"a".repeat(129)}`,
    ]) {
      const result = parse(`linear:ok ${entry}`);
      expect(result.scopes).toBeUndefined();
      expect(result.error).toContain(`“${entry}” is not a tool`);
    }
  });

  it("refuses a server the instance does not bundle, exactly by slug", () => {
    expect(parse("notio:search").error).toBe("This instance has no server “notio”.");
    expect(parse("figma:search").error).toBe("This instance has no server “figma”.");
  });

  it("says when a ticked scope already grants the tool", () => {
    expect(parse("notion:search", ["mcp:access:*"]).error).toBe(
      "mcp:access:* already grants every tool of notion: untick it to limit access to tools.",
    );
    expect(parse("notion:search", ["mcp:access:notion"]).error).toContain("mcp:access:notion already grants");
    expect(parse("notion:search", ["mcp:access:linear"])).toEqual({ scopes: ["mcp:access:notion:search"] });
  });
});
