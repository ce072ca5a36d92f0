import { describe, expect, it } from "vitest";
import {
  describeSignInError,
  INVALID_CREDENTIALS_MESSAGE,
  toSafeRedirectPath,
  withCallbackUrl,
} from "./sign-in-messages";

describe("describeSignInError", () => {
  it("says the same thing for every credentials failure except a rate limit", () => {
    expect(describeSignInError("CredentialsSignin", "credentials")).toBe(INVALID_CREDENTIALS_MESSAGE);
    expect(describeSignInError("CredentialsSignin")).toBe("Email or password is incorrect.");
    expect(describeSignInError("CredentialsSignin", "rate_limited")).toMatch(/Too many sign-in attempts/);
  });

  it("never echoes an unknown error code", () => {
    expect(describeSignInError("<script>", "x")).toBe(
      "Sign-in is not available right now. Try again in a moment.",
    );
  });
});

describe("toSafeRedirectPath", () => {
  it("keeps same-site paths with their query and fragment", () => {
    expect(toSafeRedirectPath("/servers?x=1")).toBe("/servers?x=1");
    expect(toSafeRedirectPath("/instances/abc?tab=tools&q=a%20b#top")).toBe(
      "/instances/abc?tab=tools&q=a%20b#top",
    );
    expect(toSafeRedirectPath("/dashboard")).toBe("/dashboard");
  });

  it.each([
    ["an absolute URL", "https://evil.com"],
    ["a protocol-relative URL", "//evil.com"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["a tab that browsers strip into //evil.com", "/\t/evil.com"],
    ["a newline that browsers strip into //evil.com", "/\n/evil.com"],
    ["a carriage return", "/\r/evil.com"],
    ["a leading backslash pair", "\\\\evil.com"],
    ["a slash then a backslash", "/\\evil.com"],
    ["a backslash later in the path", "/a\\..\\..\\/evil.com"],
    ["an empty string", ""],
    ["undefined", undefined],
    ["null", null],
  ])("refuses %s", (_label, unsafe) => {
    expect(toSafeRedirectPath(unsafe)).toBe("/dashboard");
  });

  it("uses the given fallback", () => {
    expect(toSafeRedirectPath("//evil.com", "/servers")).toBe("/servers");
  });
});

describe("withCallbackUrl", () => {
  it("carries a destination other than the dashboard, encoded", () => {
    expect(withCallbackUrl("/sign-up", "/oauth/authorize?client_id=a&state=b")).toBe(
      "/sign-up?callbackUrl=%2Foauth%2Fauthorize%3Fclient_id%3Da%26state%3Db",
    );
    expect(withCallbackUrl("/sign-in", "/dashboard")).toBe("/sign-in");
  });
});
