import { describe, expect, it } from "vitest";
import { describeSignInError, INVALID_CREDENTIALS_MESSAGE, toSafeRedirectPath } from "./sign-in-messages";

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
  it("keeps same-site paths and refuses anything that could leave the site", () => {
    expect(toSafeRedirectPath("/servers?x=1")).toBe("/servers?x=1");
    for (const unsafe of ["https://evil.test", "//evil.test", "/\\evil.test", "", undefined, null]) {
      expect(toSafeRedirectPath(unsafe)).toBe("/dashboard");
    }
  });
});
