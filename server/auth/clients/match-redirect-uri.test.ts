import { describe, expect, it } from "vitest";
import { isRegisteredRedirectUri } from "./match-redirect-uri";

const registered = [
  "https://app.example.com/callback",
  "http://127.0.0.1:3000/callback",
  "http://localhost/cb",
  "http://[::1]:8080/cb?mode=cli",
];

describe("isRegisteredRedirectUri", () => {
  it.each([
    "https://app.example.com/callback",
    "http://127.0.0.1:3000/callback",
    "http://127.0.0.1:51234/callback",
    "http://127.0.0.1/callback",
    "http://localhost:4000/cb",
    "http://[::1]:9999/cb?mode=cli",
  ])("accepts %s", (requested) => {
    expect(isRegisteredRedirectUri({ registered, requested })).toBe(true);
  });

  it.each([
    ["a trailing slash", "https://app.example.com/callback/"],
    ["another case in the path", "https://app.example.com/Callback"],
    ["another case in the host", "https://APP.example.com/callback"],
    ["an extra query", "https://app.example.com/callback?x=1"],
    ["a fragment", "https://app.example.com/callback#x"],
    ["another port on a non-loopback host", "https://app.example.com:8443/callback"],
    ["another host", "https://evil.example.com/callback"],
    ["http instead of https", "http://app.example.com/callback"],
    ["localhost for a registered 127.0.0.1", "http://localhost:3000/callback"],
    ["another path on loopback", "http://127.0.0.1:3000/callback2"],
    ["a trailing slash on loopback", "http://127.0.0.1:3000/callback/"],
    ["a changed query on loopback", "http://[::1]:8080/cb?mode=web"],
    ["https on a registered http loopback", "https://127.0.0.1:3000/callback"],
    ["an out-of-range port", "http://127.0.0.1:99999/callback"],
    ["user info before a loopback host", "http://evil@127.0.0.1:3000/callback"],
    ["a look-alike loopback host", "http://127.0.0.1.evil.example:3000/callback"],
  ])("refuses %s", (_name, requested) => {
    expect(isRegisteredRedirectUri({ registered, requested })).toBe(false);
  });

  it("refuses everything when nothing is registered", () => {
    expect(isRegisteredRedirectUri({ registered: [], requested: "https://app.example.com/callback" })).toBe(
      false,
    );
  });
});
