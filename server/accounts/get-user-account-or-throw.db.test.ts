import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createUserAccount } from "./create-user-account";
import { getUserAccountOrThrow } from "./get-user-account-or-throw";

describe("getUserAccountOrThrow", () => {
  it("returns the account's profile", async () => {
    const user = await createUserAccount({ email: "me@example.com", password: "long enough", name: "Me" });

    expect(await getUserAccountOrThrow({ userId: user.id })).toEqual({
      id: user.id,
      email: "me@example.com",
      name: "Me",
    });
  });

  it("throws NOT_FOUND with a message the user can read when the account is gone", async () => {
    const attempt = getUserAccountOrThrow({ userId: "no-such-user" });

    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: "NOT_FOUND",
      userMessage: "Your account no longer exists.",
    });
  });
});
