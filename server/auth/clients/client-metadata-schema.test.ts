import { describe, expect, it } from "vitest";
import { ZClientMetadata } from "./client-metadata-schema";

const base = { redirect_uris: ["https://app.example.com/cb"] };

describe("ZClientMetadata display strings", () => {
  it.each([
    ["a right-to-left override", { client_name: "Claude\u202Eedoc" }],
    ["a left-to-right isolate", { client_name: "Claude\u2066Code" }],
    ["a zero-width space", { client_name: "Cla\u200Bude" }],
    ["a zero-width joiner", { client_name: "Cla\u200Dude" }],
    ["a byte-order mark inside", { client_name: "Cla\uFEFFude" }],
    ["a control character", { client_name: "Claude\u0007" }],
    ["an escape sequence", { client_name: "Claude\u001b[31m" }],
    ["a bidi override in client_uri", { client_uri: "https://app.example.com/\u202Ex" }],
    ["a bidi override in software_id", { software_id: "id\u202E" }],
    ["a control character in contacts", { contacts: ["a\u0000@example.com"] }],
  ])("refuses %s", (_name, fields) => {
    expect(ZClientMetadata.safeParse({ ...base, ...fields }).success).toBe(false);
  });

  it.each([
    "Claude Code",
    "Cursor (Anysphere)",
    "日本語のクライアント",
    "Café Ωmega 🙂",
  ])("accepts %s", (name) => {
    expect(ZClientMetadata.parse({ ...base, client_name: name }).client_name).toBe(name);
  });
});

describe("ZClientMetadata application_type", () => {
  it.each(["web", "native"])("accepts %s", (type) => {
    expect(ZClientMetadata.parse({ ...base, application_type: type }).application_type).toBe(type);
  });

  it("leaves it unset when absent (resolveApplicationType picks the default)", () => {
    expect(ZClientMetadata.parse(base).application_type).toBeUndefined();
  });

  it.each([
    ["an unknown value", "browser"],
    ["another case", "Web"],
    ["the empty string", ""],
    ["a number", 1],
    ["null", null],
    ["a list", ["web"]],
  ])("refuses %s", (_name, value) => {
    const parsed = ZClientMetadata.safeParse({ ...base, application_type: value });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["application_type"]);
  });
});
