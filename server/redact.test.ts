import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets, scrubSecrets } from "./redact";

const jwt =
  "eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ1c2VyIiwiYXVkIjoiaHR0cHM6Ly94In0.c2lnbmF0dXJlLXZhbHVl";

describe("redaction", () => {
  it("empties values under secret-named keys, at any depth", () => {
    const out = redactSecrets({
      headers: { authorization: "Bearer abc", cookie: "session=1", "x-request-id": "r1" },
      body: { access_token: "a", refresh_token: "b", client_secret: "c", code: "d", code_verifier: "e" },
      nested: [{ password: "p", apiKey: "k", name: "kept" }],
    });
    expect(out.headers.authorization).toBe(REDACTED);
    expect(out.headers.cookie).toBe(REDACTED);
    expect(out.headers["x-request-id"]).toBe("r1");
    expect(Object.values(out.body).every((v) => v === REDACTED)).toBe(true);
    expect(out.nested[0]).toEqual({ password: REDACTED, apiKey: REDACTED, name: "kept" });
  });

  it("scrubs credentials hidden in free text", () => {
    const text = `refresh failed for ${jwt} with Bearer opaque-123 and tumiki_abcdefgh12345 at https://as.example/cb?code=xyz&state=s1&iss=https://as`;
    const out = scrubSecrets(text);
    for (const secret of [jwt, "opaque-123", "tumiki_abcdefgh12345", "code=xyz", "state=s1"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("iss=https://as");
    expect(scrubSecrets('{"access_token":"abc","token_type":"Bearer"}')).not.toContain("abc");
  });

  it("scrubs opaque tokens named by the words around them", () => {
    const opaque = "8f7a9c0d1e2f3a4b5c6d7e8f9a0b1c2d";
    const texts = [
      `token ${opaque} expired`,
      `Authorization: token ${opaque}`,
      `x-api-key: ${opaque}`,
      `refresh_token ${opaque} was rejected`,
      `client secret=${opaque}`,
      `ghp_${opaque}`,
      `sk-${opaque}`,
      `secret_${opaque}`,
    ];
    for (const text of texts) expect(scrubSecrets(text), text).not.toContain(opaque);
    // Ordinary words after "token" are left alone.
    expect(scrubSecrets("token expired at 12:00")).toBe("token expired at 12:00");
  });

  it("keeps errors readable without their secrets", () => {
    const error = new Error(`upstream rejected ${jwt}`);
    const out = redactSecrets({ err: error }) as unknown as {
      err: { message: string; stack: string; type: string };
    };
    expect(out.err.type).toBe("Error");
    expect(out.err.message).toContain("upstream rejected");
    expect(JSON.stringify(out)).not.toContain(jwt);
  });

  it("survives cycles", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    expect(redactSecrets(a)).toEqual({ name: "a", self: "[circular]" });
  });
});
