import { describe, expect, it } from "vitest";
import { parseWwwAuthenticate } from "./parse-www-authenticate";

describe("parseWwwAuthenticate", () => {
  it("reads a Bearer challenge with quoted parameters", () => {
    expect(
      parseWwwAuthenticate(
        'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource", scope="files:read"',
      ),
    ).toEqual([
      {
        scheme: "bearer",
        params: {
          resource_metadata: "https://mcp.example.com/.well-known/oauth-protected-resource",
          scope: "files:read",
        },
      },
    ]);
  });

  it("keeps commas, spaces and escaped quotes inside quoted strings", () => {
    const [challenge] = parseWwwAuthenticate(
      'Bearer error="invalid_token", error_description="The token \\"abc\\" expired, sorry", scope="a b"',
    );
    expect(challenge?.params).toEqual({
      error: "invalid_token",
      error_description: 'The token "abc" expired, sorry',
      scope: "a b",
    });
  });

  it("separates several challenges, in one header or joined header lines", () => {
    const challenges = parseWwwAuthenticate(
      'Basic realm="admin", charset="UTF-8", Bearer realm="mcp", resource_metadata="https://x.example/prm", Negotiate',
    );
    expect(challenges.map((c) => c.scheme)).toEqual(["basic", "bearer", "negotiate"]);
    expect(challenges[0]?.params).toEqual({ realm: "admin", charset: "UTF-8" });
    expect(challenges[1]?.params).toEqual({ realm: "mcp", resource_metadata: "https://x.example/prm" });
  });

  it("reads token68 credentials as their own challenge", () => {
    expect(parseWwwAuthenticate("Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1==, Bearer")).toEqual([
      { scheme: "negotiate", params: {}, token68: "YIIGhgYJKoZIhvcSAQICAQBuggZ1==" },
      { scheme: "bearer", params: {} },
    ]);
  });

  it("is case-insensitive for schemes and parameter names, and keeps the first of a repeated parameter", () => {
    const [challenge] = parseWwwAuthenticate('BEARER Scope="first", SCOPE="second", Error = invalid_token');
    expect(challenge).toEqual({ scheme: "bearer", params: { scope: "first", error: "invalid_token" } });
  });

  it("tolerates unquoted URLs and stray garbage", () => {
    const challenges = parseWwwAuthenticate(
      ' , Bearer resource_metadata=https://mcp.example.com/prm?x=1 , = junk, Bearer scope="late"',
    );
    expect(challenges[0]).toEqual({
      scheme: "bearer",
      params: { resource_metadata: "https://mcp.example.com/prm?x=1" },
    });
    expect(challenges.at(-1)).toEqual({ scheme: "bearer", params: { scope: "late" } });
  });

  it("returns nothing for an empty header and survives an unterminated quote", () => {
    expect(parseWwwAuthenticate("")).toEqual([]);
    expect(parseWwwAuthenticate('Bearer scope="a b')).toEqual([
      { scheme: "bearer", params: { scope: "a b" } },
    ]);
  });
});
