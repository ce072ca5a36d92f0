import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import { assertAllowedOrigin } from "./assert-allowed-origin";

const previous = { APP_URL: process.env.APP_URL, MCP_ALLOWED_ORIGINS: process.env.MCP_ALLOWED_ORIGINS };

afterEach(() => {
  process.env.APP_URL = previous.APP_URL;
  process.env.MCP_ALLOWED_ORIGINS = previous.MCP_ALLOWED_ORIGINS ?? "";
  resetEnvCache();
});

const allowed = (origin?: string) => {
  try {
    assertAllowedOrigin(new Headers(origin === undefined ? {} : { origin }));
    return true;
  } catch {
    return false;
  }
};

describe("assertAllowedOrigin", () => {
  it("passes requests without Origin, from APP_URL's origin and from configured origins only", () => {
    process.env.APP_URL = "https://tumiki.example/base";
    process.env.MCP_ALLOWED_ORIGINS = "http://localhost:6274, https://inspector.example/path";
    resetEnvCache();
    expect(allowed()).toBe(true);
    expect(allowed("https://tumiki.example")).toBe(true);
    expect(allowed("http://localhost:6274")).toBe(true);
    expect(allowed("https://inspector.example")).toBe(true);
    for (const origin of [
      "https://evil.example",
      "http://tumiki.example",
      "https://tumiki.example:8443",
      "https://tumiki.example.evil.example",
      "http://localhost:6275",
      "null",
      "",
    ]) {
      expect(allowed(origin), origin).toBe(false);
    }
  });
});
