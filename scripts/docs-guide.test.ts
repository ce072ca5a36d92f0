import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The user guide (docs/) stays whole: every relative link and image resolves, and every dashboard page
// has a screenshot (made by `npm run docs:screenshots`) that the guide shows.

const ROOT = path.resolve(import.meta.dirname, "..");
const DOCS = path.join(ROOT, "docs");
const guide = readdirSync(DOCS)
  .filter((name) => name.endsWith(".md"))
  .map((name) => ({ name, text: readFileSync(path.join(DOCS, name), "utf8") }));

/** Screenshot name of each dashboard page: its folder under app/(dashboard). */
const DASHBOARD_PAGES = readdirSync(path.join(ROOT, "app", "(dashboard)"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(entry.parentPath, entry.name, "page.tsx")))
  .map((entry) => entry.name);

describe("the user guide", () => {
  it("has its index and pages", () => {
    expect(guide.map((page) => page.name)).toEqual(
      expect.arrayContaining([
        "README.md",
        "getting-started.md",
        "connecting-servers.md",
        "connecting-ai-clients.md",
        "instances-and-scopes.md",
        "api-keys-and-m2m.md",
        "tokens-and-reauth.md",
        "operating.md",
        "faq.md",
        "troubleshooting.md",
      ]),
    );
  });

  it("links only to files that exist", () => {
    const broken: string[] = [];
    for (const { name, text } of guide) {
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
        const file = target.split("#")[0] ?? "";
        if (!existsSync(path.resolve(DOCS, file))) broken.push(`${name} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("shows a screenshot of every dashboard page", () => {
    expect(DASHBOARD_PAGES.length).toBeGreaterThan(5);
    const shown = guide.flatMap(({ text }) =>
      [...text.matchAll(/!\[[^\]]*\]\(images\/([a-z-]+)\.png\)/g)].map((m) => m[1]),
    );
    expect(shown).toEqual(expect.arrayContaining(DASHBOARD_PAGES));
  });
});
