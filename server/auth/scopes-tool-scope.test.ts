import { describe, expect, it } from "vitest";
import {
  getInstanceScopes,
  hasAnyToolAccess,
  hasServerAccess,
  hasToolAccess,
  isKnownScopeShape,
  isOfferedScope,
  isScopeCovered,
  parseToolScope,
  scopeForTool,
  slugOfScope,
} from "./scopes";

// The tool scopes `mcp:access:<slug>:<tool>` next to the server scopes: exact segments everywhere.

const offered = getInstanceScopes(["notion", "linear"]);

describe("tool scopes", () => {
  it("parse into a server slug and an MCP tool name", () => {
    expect(parseToolScope("mcp:access:notion:search")).toEqual({ slug: "notion", tool: "search" });
    expect(parseToolScope("mcp:access:notion:v1.pages_get-2")).toEqual({
      slug: "notion",
      tool: "v1.pages_get-2",
    });
    expect(parseToolScope(`mcp:access:notion:${"a".repeat(128)}`)?.tool).toHaveLength(128);
    expect(scopeForTool("notion", "search")).toBe("mcp:access:notion:search");
  });

  it("refuse malformed tool names and slugs", () => {
    for (const scope of [
      "mcp:access:notion:",
      `mcp:access:notion:${"a".repeat(129)}`,
      "mcp:access:notion:a b",
      "mcp:access:notion:a/b",
      "mcp:access:notion:a:b",
      "mcp:access:notion:*",
      "mcp:access:notion:ünïcode",
      "mcp:access:Notion:search",
      "mcp:access::search",
      "mcp:access:*:search",
      "mcp:other:notion:search",
      "notion:search",
    ]) {
      expect(parseToolScope(scope), scope).toBeNull();
      expect(isKnownScopeShape(scope), scope).toBe(false);
      expect(slugOfScope(scope), scope).toBeNull();
    }
  });

  it("are a known scope shape naming their server", () => {
    expect(isKnownScopeShape("mcp:access:notion:search")).toBe(true);
    expect(slugOfScope("mcp:access:notion:search")).toBe("notion");
    expect(slugOfScope("mcp:access:notion")).toBe("notion");
    expect(slugOfScope("mcp:access:*")).toBeNull();
  });

  it("grant exactly their tool: not a longer name, not the server, not a server of a similar slug", () => {
    const granted = ["mcp:access:notion:search"];
    expect(hasToolAccess(granted, "notion", "search")).toBe(true);
    expect(hasToolAccess(granted, "notion", "search_all")).toBe(false);
    expect(hasToolAccess(granted, "notion", "searc")).toBe(false);
    expect(hasToolAccess(granted, "notio", "search")).toBe(false);
    expect(hasToolAccess(granted, "notion-2", "search")).toBe(false);
    // The server's prompts and resources need the server scope.
    expect(hasServerAccess(granted, "notion")).toBe(false);
    expect(hasAnyToolAccess(granted, "notion")).toBe(true);
    expect(hasAnyToolAccess(granted, "notio")).toBe(false);
    expect(hasAnyToolAccess(granted, "linear")).toBe(false);
  });

  it("are covered by the server's scope and by mcp:access:*", () => {
    expect(hasToolAccess(["mcp:access:notion"], "notion", "anything")).toBe(true);
    expect(hasToolAccess(["mcp:access:*"], "notion", "anything")).toBe(true);
    expect(hasToolAccess(["mcp:access:notio"], "notion", "search")).toBe(false);
  });

  it("are offered for each server the instance bundles, and for no other", () => {
    expect(isOfferedScope(offered, "mcp:access:notion:search")).toBe(true);
    expect(isOfferedScope(offered, "mcp:access:linear:create_issue")).toBe(true);
    expect(isOfferedScope(offered, "mcp:access:figma:search")).toBe(false);
    expect(isOfferedScope(offered, "mcp:access:notio:search")).toBe(false);
    expect(isOfferedScope(offered, "mcp:access:notion:bad name")).toBe(false);
    expect(isOfferedScope(offered, "mcp:access:notion")).toBe(true);
    expect(isOfferedScope(offered, "mcp:access:figma")).toBe(false);
  });

  it("lie within a granted server scope or mcp:access:*, never the other way round", () => {
    expect(isScopeCovered(["mcp:access:notion"], "mcp:access:notion:search")).toBe(true);
    expect(isScopeCovered(["mcp:access:*"], "mcp:access:notion:search")).toBe(true);
    expect(isScopeCovered(["mcp:access:notion:search"], "mcp:access:notion:search")).toBe(true);
    expect(isScopeCovered(["mcp:access:notion:search"], "mcp:access:notion")).toBe(false);
    expect(isScopeCovered(["mcp:access:notion:search"], "mcp:access:notion:search_all")).toBe(false);
    expect(isScopeCovered(["mcp:access:notion"], "mcp:access:*")).toBe(false);
    expect(isScopeCovered(["mcp:access:notio"], "mcp:access:notion:search")).toBe(false);
  });
});
