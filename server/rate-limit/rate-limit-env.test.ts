import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../env";
import { RATE_LIMIT_POLICY_NAMES, rateLimitEnvName } from "./rate-limit-env";
import { RATE_LIMIT_POLICIES } from "./rate-limit-policies";

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

describe("RATE_LIMIT_<POLICY> variables", () => {
  it("are named after every policy in the table, one each", () => {
    expect(rateLimitEnvName("mcpRequest")).toBe("RATE_LIMIT_MCP_REQUEST");
    expect(rateLimitEnvName("oauthClientAuthFailure")).toBe("RATE_LIMIT_OAUTH_CLIENT_AUTH_FAILURE");
    expect(RATE_LIMIT_POLICY_NAMES).toEqual(Object.keys(RATE_LIMIT_POLICIES));
    const names = RATE_LIMIT_POLICY_NAMES.map(rateLimitEnvName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^RATE_LIMIT_[A-Z]+(_[A-Z]+)*$/);
  });

  it("leave every policy at its default when unset or empty", () => {
    expect(parseEnv(valid).RATE_LIMITS).toEqual({});
    expect(parseEnv({ ...valid, RATE_LIMIT_SIGN_UP: "" }).RATE_LIMITS).toEqual({});
  });

  it("parse <attempts>/<window> in seconds, minutes or hours, with or without spaces", () => {
    const env = parseEnv({
      ...valid,
      RATE_LIMIT_MCP_REQUEST: "5000/1h",
      RATE_LIMIT_SIGN_IN: " 20 / 30m ",
      RATE_LIMIT_OAUTH_TOKEN: "1/45s",
      RATE_LIMIT_CIMD_FETCH: "1000000000/24h",
    });
    expect(env.RATE_LIMITS).toEqual({
      mcpRequest: { attempts: 5000, window: "1 h" },
      signIn: { attempts: 20, window: "30 m" },
      oauthToken: { attempts: 1, window: "45 s" },
      cimdFetch: { attempts: 1_000_000_000, window: "24 h" },
    });
  });

  it.each([
    ["5000", /expected "<attempts>\/<window>"/],
    ["5000/h", /expected "<attempts>\/<window>"/],
    ["lots/1h", /expected "<attempts>\/<window>"/],
    ["10/1d", /expected "<attempts>\/<window>"/],
    ["-1/1h", /expected "<attempts>\/<window>"/],
    ["1.5/1h", /expected "<attempts>\/<window>"/],
    ["0/1h", /attempts must be between 1 and 1000000000/],
    ["1000000001/1h", /attempts must be between 1 and 1000000000/],
    ["10/0m", /window must be between 1s and 24h/],
    ["10/25h", /window must be between 1s and 24h/],
  ])("refuse %j with an error naming the variable and not echoing the value", (value, message) => {
    const error = errorOf({ ...valid, RATE_LIMIT_SIGN_IN_ACCOUNT: value });
    expect(error.variables).toEqual(["RATE_LIMIT_SIGN_IN_ACCOUNT"]);
    expect(error.message).toMatch(new RegExp(`RATE_LIMIT_SIGN_IN_ACCOUNT: ${message.source}`));
    expect(error.message.replace(message, "")).not.toContain(` ${value}`);
  });

  it("are reported together with the other variables' errors", () => {
    const error = errorOf({ AUTH_SECRET: valid.AUTH_SECRET, RATE_LIMIT_SIGN_UP: "many" });
    expect(error.variables).toEqual(expect.arrayContaining(["ENCRYPTION_KEY", "RATE_LIMIT_SIGN_UP"]));
  });

  it("are each documented in .env.example with the policy's default", () => {
    const example = readFileSync(path.join(import.meta.dirname, "../../.env.example"), "utf8");
    for (const name of RATE_LIMIT_POLICY_NAMES) {
      const variable = rateLimitEnvName(name);
      const line = new RegExp(`^# ${variable}=(.+)$`, "m").exec(example);
      expect(line, `${variable} is missing from .env.example`).not.toBeNull();
      const documented = parseEnv({ ...valid, [variable]: line?.[1] }).RATE_LIMITS[name];
      const { attempts, window } = RATE_LIMIT_POLICIES[name];
      expect(documented, `${variable} in .env.example differs from the default`).toEqual({
        attempts,
        window,
      });
    }
  });
});
