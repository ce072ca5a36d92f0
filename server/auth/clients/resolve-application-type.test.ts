import { describe, expect, it } from "vitest";
import { InvalidRedirectUriError } from "../oauth-errors";
import { resolveApplicationType } from "./resolve-application-type";

const HTTPS = "https://app.example.com/callback";
const LOOPBACK = "http://127.0.0.1:33418/";
const HTTPS_LOOPBACK = "https://localhost:3000/redirect";
const APP = "cursor://anysphere.cursor-retrieval/oauth/user-tumiki/callback";
const REVERSE_DNS = "com.example.app:/oauth2redirect";

describe("resolveApplicationType", () => {
  it.each([
    ["web", [HTTPS]],
    ["web", [LOOPBACK]],
    ["web", [HTTPS, LOOPBACK, HTTPS_LOOPBACK]],
    ["native", [LOOPBACK]],
    ["native", [APP, REVERSE_DNS]],
    // VS Code's registration: loopback and claimed https URIs (RFC 8252 §7.2) as a native app.
    ["native", ["https://insiders.vscode.dev/redirect", "https://vscode.dev/redirect", LOOPBACK]],
    ["native", [HTTPS_LOOPBACK, APP]],
  ] as const)("keeps a declared %s client with %j", (declared, redirectUris) => {
    expect(resolveApplicationType({ declared, redirectUris })).toBe(declared);
  });

  it.each([
    ["web", [HTTPS]],
    ["web", [LOOPBACK, "http://localhost/callback"]],
    ["native", [APP]],
    ["native", [LOOPBACK, REVERSE_DNS]],
    // Allowed before application_type existed; only a native app can receive the private-use scheme.
    ["native", [HTTPS, APP]],
  ] as const)("defaults to %s for %j", (expected, redirectUris) => {
    expect(resolveApplicationType({ declared: undefined, redirectUris })).toBe(expected);
  });

  it.each([
    [[APP]],
    [[REVERSE_DNS]],
    [[HTTPS, LOOPBACK, APP]],
  ])("refuses a web client with a private-use scheme among %j", (redirectUris) => {
    expect(() => resolveApplicationType({ declared: "web", redirectUris })).toThrow(InvalidRedirectUriError);
  });

  it("says which scheme and how to register instead", () => {
    const refusal = (() => {
      try {
        resolveApplicationType({ declared: "web", redirectUris: [HTTPS, REVERSE_DNS] });
      } catch (error) {
        return error as InvalidRedirectUriError;
      }
    })();
    expect(refusal?.error).toBe("invalid_redirect_uri");
    expect(refusal?.reason).toBe("application_type_mismatch");
    expect(refusal?.description).toContain("com.example.app:");
    expect(refusal?.description).toContain('application_type "native"');
  });
});
