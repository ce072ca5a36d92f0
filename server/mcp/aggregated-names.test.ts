import { describe, expect, it } from "vitest";
import { exposeName, exposeUri, resolveName, resolveUri } from "./aggregated-names";
import type { TInstanceBackend } from "./get-instance-backends";

const backend = (slug: string): TInstanceBackend => ({
  mcpServerId: `id-${slug}`,
  slug,
  name: slug,
  url: `https://${slug}.example/mcp`,
  authType: "NONE",
  apiKeyHeaderName: null,
  apiKey: null,
  toolControls: {
    selection: "ALL",
    includeNewTools: true,
    pinToolDefinitions: true,
    confirmDestructiveTools: false,
    toolsListedBefore: false,
  },
});

const notion = backend("notion");
const figma2 = backend("figma-2");
const two = [figma2, notion];

describe("aggregated names", () => {
  it("renames nothing for an instance with one server, and resolves every name to it", () => {
    expect(exposeName([notion], notion, "search")).toBe("search");
    expect(exposeUri([notion], notion, "notion://page/1")).toBe("notion://page/1");
    expect(resolveName([notion], "weird__name")).toEqual({ backend: notion, name: "weird__name" });
    expect(resolveUri([notion], "x://y")).toEqual({ backend: notion, name: "x://y" });
  });

  it("resolves nothing for an instance without servers", () => {
    expect(resolveName([], "search")).toBeNull();
    expect(resolveUri([], "x://y")).toBeNull();
  });

  it("round-trips names and URIs that contain the separators themselves", () => {
    for (const name of ["search", "a__b", "__lead", "trail__", "with.dot"]) {
      const exposed = exposeName(two, figma2, name);
      expect(exposed).toBe(`figma-2__${name}`);
      expect(resolveName(two, exposed)).toEqual({ backend: figma2, name });
    }
    for (const uri of ["notion://page/{id}", "file:///a.b/c", "tumiki.notion.x://y", "https://h/p?q=1#f"]) {
      const exposed = exposeUri(two, notion, uri);
      expect(exposed).toBe(`tumiki.notion.${uri}`);
      expect(resolveUri(two, exposed)).toEqual({ backend: notion, name: uri });
    }
  });

  it("resolves no name of a server the instance does not bundle, and no name without a server part", () => {
    for (const name of ["search", "linear__search", "__search", "notion__", "notion_search"]) {
      expect(resolveName(two, name), name).toBeNull();
    }
    for (const uri of [
      "notion://page/1",
      "tumiki.linear.x://y",
      "tumiki.notion.",
      "tumiki..x://y",
      "tumiki.notion",
    ]) {
      expect(resolveUri(two, uri), uri).toBeNull();
    }
  });
});
