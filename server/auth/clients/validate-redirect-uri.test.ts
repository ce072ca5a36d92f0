import { describe, expect, it } from "vitest";
import { InvalidRedirectUriError } from "../oauth-errors";
import { assertValidRedirectUri } from "./validate-redirect-uri";

describe("assertValidRedirectUri", () => {
  it.each([
    "https://app.example.com/callback",
    "https://app.example.com/callback?x=1",
    "https://app.example.com:8443/cb",
    "http://localhost/callback",
    "http://localhost:3000/callback",
    "http://127.0.0.1:51234/callback",
    "http://[::1]:8080/cb",
    "com.example.app:/oauth2redirect",
    "com.example.app://callback",
    "cursor://anysphere.cursor-retrieval/oauth/user-tumiki/callback",
    "vscode://vscode.github-authentication/did-authenticate",
    "vscode-insiders://ms-vscode.mcp/callback",
    "windsurf://codeium.windsurf/oauth/callback",
  ])("accepts %s", (uri) => {
    expect(() => assertValidRedirectUri({ uri })).not.toThrow();
  });

  it.each([
    ["http on a non-loopback host", "http://app.example.com/callback"],
    ["http on a look-alike of localhost", "http://localhost.evil.example/callback"],
    ["http on a private address", "http://192.168.1.10/callback"],
    ["a fragment", "https://app.example.com/callback#frag"],
    ["an empty fragment", "https://app.example.com/callback#"],
    ["javascript:", "javascript:alert(1)"],
    ["mixed-case javascript:", "JaVaScRiPt:alert(1)"],
    ["javascript: after a space", " javascript:alert(1)"],
    ["javascript: with a tab inside", "java\tscript:alert(1)"],
    ["javascript: with a newline inside", "java\nscript:alert(1)"],
    ["javascript: with a NUL", "javascript\u0000:alert(1)"],
    ["a percent-encoded scheme", "%6Aavascript:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["vbscript:", "vbscript:msgbox(1)"],
    ["file:", "file:///etc/passwd"],
    ["user info", "https://user:pass@app.example.com/callback"],
    ["a user name", "https://user@app.example.com/callback"],
    ["a trailing space", "https://app.example.com/callback "],
    ["a carriage return", "https://app.example.com/call\rback"],
    ["a DEL character", "https://app.example.com/call\u007fback"],
    ["non-ASCII", "https://app.example.com/cällback"],
    ["an upper-case scheme", "HTTPS://app.example.com/callback"],
    ["a relative URI", "/callback"],
    ["a scheme-relative URI", "//app.example.com/callback"],
    ["https without slashes", "https:app.example.com/callback"],
    ["a bare private-use scheme of no known client", "slack://oauth/callback"],
    ["a look-alike of a known client's scheme", "cursorx://anysphere.cursor-retrieval/cb"],
    ["a known client's scheme in upper case", "Cursor://anysphere.cursor-retrieval/cb"],
    ["an empty string", ""],
    ["an overlong URI", `https://app.example.com/${"a".repeat(2000)}`],
  ])("refuses %s", (_name, uri) => {
    expect(() => assertValidRedirectUri({ uri })).toThrow(InvalidRedirectUriError);
  });
});
