import { describe, expect, it } from "vitest";
import { resolveAuthRedirect } from "./resolve-auth-redirect";

const appUrl = "https://tumiki.example.com";
const resolve = (url: string) => resolveAuthRedirect({ url, appUrl });

describe("resolveAuthRedirect", () => {
  it("makes a relative path absolute on APP_URL, keeping its query and fragment", () => {
    expect(resolve("/servers?tab=oauth#top")).toBe("https://tumiki.example.com/servers?tab=oauth#top");
    expect(resolve("/")).toBe("https://tumiki.example.com/");
  });

  it("keeps an absolute URL on APP_URL's origin", () => {
    expect(resolve("https://tumiki.example.com/instances/1")).toBe("https://tumiki.example.com/instances/1");
  });

  it.each([
    ["another origin", "https://evil.com/dashboard"],
    ["a look-alike subdomain", "https://tumiki.example.com.evil.com/"],
    ["APP_URL's host over another scheme", "http://tumiki.example.com/dashboard"],
    ["APP_URL's host on another port", "https://tumiki.example.com:8443/dashboard"],
    ["a protocol-relative URL", "//evil.com"],
    ["a tab that browsers strip", "/\t/evil.com"],
    ["a newline that browsers strip", "/\n/evil.com"],
    ["a backslash browsers read as a slash", "/\\evil.com"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["a data: URL", "data:text/html,<script>alert(1)</script>"],
  ])("sends %s to APP_URL's dashboard", (_label, url) => {
    expect(resolve(url)).toBe("https://tumiki.example.com/dashboard");
  });

  it("builds the fallback from APP_URL whatever its trailing slash", () => {
    expect(resolveAuthRedirect({ url: "https://evil.com", appUrl: "http://localhost:3000/" })).toBe(
      "http://localhost:3000/dashboard",
    );
  });
});
