import { describe, expect, it } from "vitest";
import { getDb } from "../db";
import { createAuthAdapter } from "./create-auth-adapter";
import { createUserAccount } from "./create-user-account";

describe("createAuthAdapter", () => {
  it("stores an IdP's email lower-cased and trimmed, as password sign-up does", async () => {
    const adapter = createAuthAdapter();

    const user = await adapter.createUser?.({
      id: "ignored-by-the-adapter",
      email: " Ada.Lovelace@Example.COM ",
      emailVerified: null,
      name: "Ada",
    });

    expect(user?.email).toBe("ada.lovelace@example.com");
    const stored = await getDb().user.findUniqueOrThrow({ where: { id: user?.id } });
    expect(stored.email).toBe("ada.lovelace@example.com");
  });

  it("finds a password account by the IdP's differently-cased email, so no second account is made", async () => {
    const adapter = createAuthAdapter();
    const passwordUser = await createUserAccount({ email: "grace@example.com", password: "long enough" });

    const found = await adapter.getUserByEmail?.("Grace@EXAMPLE.com ");

    expect(found?.id).toBe(passwordUser.id);
  });

  it("refuses to create a second user for an email that differs only in case", async () => {
    const adapter = createAuthAdapter();
    await createUserAccount({ email: "linus@example.com", password: "long enough" });

    await expect(
      adapter.createUser?.({ id: "x", email: "LINUS@example.com", emailVerified: null }),
    ).rejects.toMatchObject({ code: "P2002" });
    expect(
      await getDb().user.count({ where: { email: { equals: "linus@example.com", mode: "insensitive" } } }),
    ).toBe(1);
  });
});
