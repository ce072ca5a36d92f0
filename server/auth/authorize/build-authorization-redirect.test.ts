import { describe, expect, it } from "vitest";
import { buildAuthorizationRedirect } from "./build-authorization-redirect";

// setup-test-env.ts sets APP_URL=http://localhost:3000, the issuer.

describe("buildAuthorizationRedirect", () => {
  it("adds the code, state and iss to a redirect URI without a query", () => {
    const location = buildAuthorizationRedirect({
      redirectUri: "http://127.0.0.1:3399/callback",
      result: { code: "tmk_ac_abc" },
      state: "s t&ate",
    });
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}`).toBe("http://127.0.0.1:3399/callback");
    expect([...url.searchParams]).toEqual([
      ["code", "tmk_ac_abc"],
      ["state", "s t&ate"],
      ["iss", "http://localhost:3000"],
    ]);
  });

  it("keeps the redirect URI's own query byte for byte and appends after it", () => {
    const location = buildAuthorizationRedirect({
      redirectUri: "https://client.example/cb?tenant=a%7Eb&x=1",
      result: { code: "c" },
    });
    expect(location).toBe(
      "https://client.example/cb?tenant=a%7Eb&x=1&code=c&iss=http%3A%2F%2Flocalhost%3A3000",
    );
  });

  it("reports an error with its description and no state when the client sent none", () => {
    const url = new URL(
      buildAuthorizationRedirect({
        redirectUri: "https://client.example/cb?",
        result: { error: "access_denied", error_description: "The user denied the request." },
      }),
    );
    expect(url.search.startsWith("?error=")).toBe(true);
    expect(url.searchParams.get("error")).toBe("access_denied");
    expect(url.searchParams.get("error_description")).toBe("The user denied the request.");
    expect(url.searchParams.has("state")).toBe(false);
    expect(url.searchParams.get("iss")).toBe("http://localhost:3000");
  });

  it("never carries a fragment", () => {
    const location = buildAuthorizationRedirect({
      redirectUri: "https://client.example/cb#frag",
      result: { code: "c" },
      state: "s",
    });
    expect(location).not.toContain("#");
    expect(new URL(location).searchParams.get("code")).toBe("c");
  });
});
