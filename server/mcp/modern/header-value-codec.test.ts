import { describe, expect, it } from "vitest";
import { decodeHeaderValue, encodeHeaderValue } from "./header-value-codec";

describe("decodeHeaderValue", () => {
  it("reads plain ASCII as it is, without surrounding whitespace", () => {
    expect(decodeHeaderValue("get_weather")).toBe("get_weather");
    expect(decodeHeaderValue("  get_weather \t")).toBe("get_weather");
    expect(decodeHeaderValue("file:///a b.txt")).toBe("file:///a b.txt");
  });

  it("decodes the base64 sentinel form (the spec's examples)", () => {
    expect(decodeHeaderValue("=?base64?SGVsbG8sIOS4lueVjA==?=")).toBe("Hello, 世界");
    expect(decodeHeaderValue("=?base64?IHBhZGRlZCA=?=")).toBe(" padded ");
    expect(decodeHeaderValue("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=")).toBe("=?base64?literal?=");
  });

  it("refuses control characters, non-ASCII and malformed base64", () => {
    expect(decodeHeaderValue("a\u0001b")).toBeNull();
    expect(decodeHeaderValue("héllo")).toBeNull();
    expect(decodeHeaderValue("=?base64?not base64!?=")).toBeNull();
    expect(decodeHeaderValue("=?base64?//79?=")).toBeNull(); // decodes to bytes that are not UTF-8
  });
});

describe("encodeHeaderValue", () => {
  it("keeps safe values and encodes the rest, so decoding gives the value back", () => {
    expect(encodeHeaderValue("us-west1")).toBe("us-west1");
    for (const value of ["Hello, 世界", " padded ", "line1\nline2", "=?base64?literal?="]) {
      const encoded = encodeHeaderValue(value);
      expect(encoded).toMatch(/^=\?base64\?.*\?=$/);
      expect(decodeHeaderValue(encoded)).toBe(value);
    }
  });
});
