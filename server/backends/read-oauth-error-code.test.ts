import { describe, expect, it } from "vitest";
import { readOAuthErrorCode } from "./read-oauth-error-code";

describe("readOAuthErrorCode", () => {
  it("reads the error code of a JSON error body", () => {
    expect(readOAuthErrorCode(Buffer.from('{"error":"invalid_grant","error_description":"x"}'))).toBe(
      "invalid_grant",
    );
  });

  it("accepts a query value that is a valid code", () => {
    expect(readOAuthErrorCode("access_denied")).toBe("access_denied");
  });

  it.each([
    ["a body that is not JSON", Buffer.from("<html>502</html>")],
    ["JSON without error", Buffer.from('{"message":"nope"}')],
    ["a code that is not a string", Buffer.from('{"error":42}')],
    ["a code with a quote", Buffer.from('{"error":"bad\\"code"}')],
    ["a code with a line break", "bad\ncode"],
    ["a code that is too long", "x".repeat(65)],
    ["an empty code", ""],
    ["nothing", null],
  ])("refuses %s", (_label, source) => {
    expect(readOAuthErrorCode(source)).toBeUndefined();
  });
});
