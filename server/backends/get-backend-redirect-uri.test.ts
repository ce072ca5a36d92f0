import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import { getBackendRedirectUri } from "./get-backend-redirect-uri";

const originalAppUrl = process.env.APP_URL;

afterEach(() => {
  process.env.APP_URL = originalAppUrl;
  resetEnvCache();
});

describe("getBackendRedirectUri", () => {
  it("gives DCR and pre-registered clients a path of their issuer's own: 16 bytes of its SHA-256, base64url", () => {
    process.env.APP_URL = "https://tumiki.example.com/";
    resetEnvCache();
    const issuer = "https://as.example.test/tenant";
    const key = createHash("sha256").update(issuer).digest().subarray(0, 16).toString("base64url");
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const expected = `https://tumiki.example.com/oauth/callback/${key}`;

    expect(getBackendRedirectUri({ issuer, registrationType: "DCR" })).toBe(expected);
    expect(getBackendRedirectUri({ issuer, registrationType: "PRE_REGISTERED" })).toBe(expected);
    // Another issuer, even one differing only in its path, has another URI.
    expect(
      getBackendRedirectUri({ issuer: "https://as.example.test/other", registrationType: "DCR" }),
    ).not.toBe(expected);
  });

  it("keeps the shared callback for CIMD, whose public document lists one URI for every issuer", () => {
    process.env.APP_URL = "https://tumiki.example.com";
    resetEnvCache();
    expect(getBackendRedirectUri({ issuer: "https://as.example.test", registrationType: "CIMD" })).toBe(
      "https://tumiki.example.com/oauth/callback",
    );
  });
});
