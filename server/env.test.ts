import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

const valid = {
  AUTH_SECRET: randomBytes(32).toString("base64"),
  ENCRYPTION_KEY: `k1:${randomBytes(32).toString("base64")}`,
};

function errorOf(source: Record<string, string | undefined>): EnvError {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error("expected parseEnv to throw");
}

describe("parseEnv", () => {
  it("accepts the minimum and fills the embedded defaults", () => {
    const env = parseEnv(valid);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PGLITE_DATA_DIR).toBe(".data/pglite");
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.ENCRYPTION_PREVIOUS_KEYS).toEqual([]);
    expect(env.APP_URL).toBe("http://localhost:3000");
  });

  it("names each missing variable", () => {
    const error = errorOf({});
    expect(error.variables).toEqual(expect.arrayContaining(["AUTH_SECRET", "ENCRYPTION_KEY"]));
    expect(error.message).toMatch(/AUTH_SECRET: is required/);
    expect(error.message).toMatch(/ENCRYPTION_KEY: is required/);
  });

  it("names a malformed variable without echoing its value", () => {
    const secretLooking = "not-a-url-but-maybe-a-secret-value";
    const error = errorOf({ ...valid, DATABASE_URL: secretLooking, ENCRYPTION_KEY: "k1:c2hvcnQ=" });
    expect(error.variables).toEqual(expect.arrayContaining(["DATABASE_URL", "ENCRYPTION_KEY"]));
    expect(error.message).toMatch(/DATABASE_URL: expected a postgresql:\/\/ URL/);
    expect(error.message).toMatch(/ENCRYPTION_KEY: .*32 bytes/);
    expect(error.message).not.toContain(secretLooking);
  });

  it("parses previous encryption keys as a comma-separated list", () => {
    const old = `k0:${randomBytes(32).toString("base64")}`;
    expect(parseEnv({ ...valid, ENCRYPTION_PREVIOUS_KEYS: ` ${old} ` }).ENCRYPTION_PREVIOUS_KEYS).toEqual([
      old,
    ]);
  });

  it("requires the Upstash URL and token together, and the OIDC trio together", () => {
    expect(errorOf({ ...valid, UPSTASH_REDIS_REST_URL: "https://x.upstash.io" }).variables).toContain(
      "UPSTASH_REDIS_REST_TOKEN",
    );
    expect(errorOf({ ...valid, AUTH_OIDC_ISSUER: "https://idp.example.com" }).variables).toContain(
      "AUTH_OIDC_ISSUER",
    );
  });

  it("requires a real database on Vercel", () => {
    expect(errorOf({ ...valid, VERCEL: "1" }).variables).toContain("DATABASE_URL");
  });

  it("trusts X-Forwarded-For by default only on Vercel", () => {
    expect(parseEnv(valid).TRUSTED_PROXY_HOPS).toBe(0);
    expect(parseEnv({ ...valid, VERCEL: "1", DATABASE_URL: "postgresql://db/x" }).TRUSTED_PROXY_HOPS).toBe(1);
    expect(parseEnv({ ...valid, TRUSTED_PROXY_HOPS: "2" }).TRUSTED_PROXY_HOPS).toBe(2);
    expect(errorOf({ ...valid, TRUSTED_PROXY_HOPS: "-1" }).variables).toContain("TRUSTED_PROXY_HOPS");
  });

  it("defaults the circuit breaker to 3 failures and 30 s, and refuses a limit below one", () => {
    expect(parseEnv(valid)).toMatchObject({
      BACKEND_DOWN_AFTER_FAILURES: 3,
      BACKEND_RETRY_AFTER_SECONDS: 30,
    });
    expect(parseEnv({ ...valid, BACKEND_RETRY_AFTER_SECONDS: "0.5" }).BACKEND_RETRY_AFTER_SECONDS).toBe(0.5);
    const error = errorOf({ ...valid, BACKEND_DOWN_AFTER_FAILURES: "0", BACKEND_RETRY_AFTER_SECONDS: "0" });
    expect(error.variables).toEqual(
      expect.arrayContaining(["BACKEND_DOWN_AFTER_FAILURES", "BACKEND_RETRY_AFTER_SECONDS"]),
    );
  });
});
