import { describe, expect, it } from "vitest";
import { isMatchingCsrfToken } from "./is-matching-csrf-token";

describe("isMatchingCsrfToken", () => {
  it("matches only equal, non-empty values", () => {
    expect(isMatchingCsrfToken({ expected: "abc", presented: "abc" })).toBe(true);
    expect(isMatchingCsrfToken({ expected: "abc", presented: "abd" })).toBe(false);
    expect(isMatchingCsrfToken({ expected: "abc", presented: "abcd" })).toBe(false);
    expect(isMatchingCsrfToken({ expected: "", presented: "" })).toBe(false);
    expect(isMatchingCsrfToken({ expected: undefined, presented: undefined })).toBe(false);
    expect(isMatchingCsrfToken({ expected: "abc", presented: null })).toBe(false);
  });
});
