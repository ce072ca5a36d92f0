import path from "node:path";
import { pathToFileURL } from "node:url";
import type { NextConfig } from "next";
import { getPathMatch } from "next/dist/shared/lib/router/utils/path-match";
import { describe, expect, it } from "vitest";

// The callbacks' URLs carry a backend's authorization code, so every one of them (the shared path and
// each per-issuer path) is served with Referrer-Policy: no-referrer by next.config.mjs, matched the way
// Next.js matches a header rule's `source`.

async function referrerPolicyOf(pathname: string): Promise<string | undefined> {
  const configUrl = pathToFileURL(path.resolve(import.meta.dirname, "../../../next.config.mjs")).href;
  const { default: config } = (await import(configUrl)) as { default: NextConfig };
  const rules = (await config.headers?.()) ?? [];
  // Later rules win for the same header, as in Next.js.
  let policy: string | undefined;
  for (const rule of rules) {
    if (!getPathMatch(rule.source, { strict: true })(pathname)) continue;
    policy = rule.headers.find((header) => header.key === "Referrer-Policy")?.value ?? policy;
  }
  return policy;
}

describe("Referrer-Policy of the backend callbacks", () => {
  it("is no-referrer on the shared and the per-issuer callback paths, and only there", async () => {
    expect(await referrerPolicyOf("/oauth/callback")).toBe("no-referrer");
    expect(await referrerPolicyOf("/oauth/callback/AAECAwQFBgcICQoLDA0ODw")).toBe("no-referrer");
    expect(await referrerPolicyOf("/oauth/authorize")).toBe("strict-origin-when-cross-origin");
  });
});
