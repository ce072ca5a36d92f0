import { describe, expect, it } from "vitest";
import { getDb } from "../db";
import { AppError } from "../errors";
import { createUserAccount } from "./create-user-account";

describe("createUserAccount", () => {
  it("stores an argon2id hash, never the password, under the lower-cased email", async () => {
    const user = await createUserAccount({
      email: "  Ada@Example.COM ",
      password: "correct horse",
      name: "Ada",
    });

    expect(user).toEqual({ id: expect.any(String), email: "ada@example.com", name: "Ada" });
    const stored = await getDb().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored.passwordHash).not.toContain("correct horse");
  });

  it("refuses a second account for the same email in any case, with a message the user can act on", async () => {
    await createUserAccount({ email: "grace@example.com", password: "first password" });

    const attempt = createUserAccount({ email: "GRACE@example.com", password: "second password" });

    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: "CONFLICT",
      userMessage: "An account with this email already exists. Sign in instead.",
    });
    expect(await getDb().user.count({ where: { email: "grace@example.com" } })).toBe(1);
  });

  it("lets only one of two concurrent sign-ups for one email succeed", async () => {
    const results = await Promise.allSettled([
      createUserAccount({ email: "race@example.com", password: "password one" }),
      createUserAccount({ email: "race@example.com", password: "password two" }),
    ]);

    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "CONFLICT" } });
  });

  it("rejects a password shorter than 8 characters before touching the database", async () => {
    await expect(createUserAccount({ email: "short@example.com", password: "1234567" })).rejects.toThrow();
    expect(await getDb().user.count({ where: { email: "short@example.com" } })).toBe(0);
  });
});
