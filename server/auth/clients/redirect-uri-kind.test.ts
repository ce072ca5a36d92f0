import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "../../net/is-loopback-host";
import { describeRedirectTarget, getRedirectUriKind } from "./redirect-uri-kind";

describe("isLoopbackHost", () => {
  it.each(["localhost", "127.0.0.1", "[::1]"])("accepts %s", (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(["localhost.evil.example", "127.0.0.2", "::1", "example.com", "0.0.0.0"])("refuses %s", (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe("getRedirectUriKind", () => {
  it.each([
    ["https://app.example.com/cb", "web"],
    ["http://127.0.0.1:3000/cb", "loopback"],
    ["http://[::1]:8080/cb", "loopback"],
    ["https://localhost/cb", "loopback"],
    ["com.example.app:/cb", "app"],
    ["cursor://anysphere.cursor-retrieval/oauth/cb", "app"],
    // The host of a private-use URI does not make it a web or loopback target.
    ["com.evil.x://localhost/cb", "app"],
  ])("%s is %s", (uri, kind) => {
    expect(getRedirectUriKind({ uri })).toBe(kind);
  });
});

describe("describeRedirectTarget", () => {
  it.each([
    ["https://app.example.com/oauth/cb?x=1", "https://app.example.com"],
    ["http://127.0.0.1:33418/callback", "http://127.0.0.1:33418"],
    ["com.evil.x://accounts.google.com/cb", "com.evil.x://accounts.google.com"],
    ["com.example.app:/cb", "com.example.app:"],
    ["cursor://anysphere.cursor-retrieval/oauth/cb", "cursor://anysphere.cursor-retrieval"],
  ])("shows %s as %s", (uri, shown) => {
    expect(describeRedirectTarget({ uri })).toBe(shown);
  });
});
