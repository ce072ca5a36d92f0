import { describe, expect, it, vi } from "vitest";
import { getDb } from "../db";
import { createUserAccount } from "./create-user-account";
import * as hashing from "./password-hashing";
import { verifyUserPassword } from "./verify-user-password";

describe("verifyUserPassword", () => {
  it("returns the account for the right password, whatever the email's case", async () => {
    const created = await createUserAccount({ email: "lin@example.com", password: "s3cret-pass" });

    expect(await verifyUserPassword({ email: "LIN@example.com ", password: "s3cret-pass" })).toEqual(created);
  });

  it("returns null for a wrong password", async () => {
    await createUserAccount({ email: "wrong@example.com", password: "s3cret-pass" });

    expect(await verifyUserPassword({ email: "wrong@example.com", password: "s3cret-pasS" })).toBeNull();
  });

  it("still runs one argon2 verification for an unknown email, so timing does not reveal accounts", async () => {
    const spy = vi.spyOn(hashing, "isPasswordMatch");

    expect(await verifyUserPassword({ email: "nobody@example.com", password: "anything" })).toBeNull();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[0]).toMatch(/^\$argon2id\$/);
    spy.mockRestore();
  });

  it("returns null for a user who only signs in through OIDC (no password hash)", async () => {
    await getDb().user.create({ data: { email: "sso@example.com" } });

    expect(await verifyUserPassword({ email: "sso@example.com", password: "anything" })).toBeNull();
  });
});
