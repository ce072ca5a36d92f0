import { describe, expect, it } from "vitest";
import {
  S256_CODE_CHALLENGE,
  ZAuthorizationQuery,
  ZConsentDecisionForm,
} from "./authorization-request-schema";

describe("ZAuthorizationQuery", () => {
  it("treats empty parameters as absent", () => {
    expect(ZAuthorizationQuery.parse({ client_id: "c", state: "", scope: "" })).toEqual({ client_id: "c" });
  });

  it("refuses oversized parameters", () => {
    expect(ZAuthorizationQuery.safeParse({ state: "x".repeat(2049) }).success).toBe(false);
    expect(ZAuthorizationQuery.safeParse({ code_challenge: "x".repeat(129) }).success).toBe(false);
  });
});

describe("S256_CODE_CHALLENGE", () => {
  it("accepts exactly 43 base64url characters", () => {
    expect(S256_CODE_CHALLENGE.test("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")).toBe(true);
    expect(S256_CODE_CHALLENGE.test("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c")).toBe(false);
    expect(S256_CODE_CHALLENGE.test("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=")).toBe(false);
    expect(S256_CODE_CHALLENGE.test("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM")).toBe(false);
  });
});

describe("ZConsentDecisionForm", () => {
  it("knows only approve and deny", () => {
    const form = { request: "r", csrf_token: "t" };
    expect(ZConsentDecisionForm.safeParse({ ...form, decision: "approve" }).success).toBe(true);
    expect(ZConsentDecisionForm.safeParse({ ...form, decision: "deny" }).success).toBe(true);
    expect(ZConsentDecisionForm.safeParse({ ...form, decision: "maybe" }).success).toBe(false);
  });
});
