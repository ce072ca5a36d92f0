import { beforeEach, describe, expect, it, vi } from "vitest";
import SignInPage from "./page";

// The page is an async server component: calling it runs its checks without rendering anything.
const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
const existingUserIds = vi.hoisted(() => new Set<string>());

vi.mock("@/server/next-auth", () => ({
  auth: async () => session.current,
  getSingleSignOnProvider: () => null,
}));
vi.mock("@/server/accounts/is-existing-user-account", () => ({
  isExistingUserAccount: async ({ userId }: { userId: string }) => existingUserIds.has(userId),
}));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new Error(`NEXT_REDIRECT ${url}`);
  },
}));

const render = (callbackUrl?: string) => SignInPage({ searchParams: Promise.resolve({ callbackUrl }) });

describe("SignInPage", () => {
  beforeEach(() => {
    session.current = null;
    existingUserIds.clear();
  });

  it("sends a signed-in user on to the (safe) callback URL", async () => {
    session.current = { user: { id: "user-1" } };
    existingUserIds.add("user-1");

    await expect(render("/servers")).rejects.toThrow("NEXT_REDIRECT /servers");
    await expect(render("/\t/evil.com")).rejects.toThrow("NEXT_REDIRECT /dashboard");
  });

  it("shows the form to a deleted user's session instead of looping back to the dashboard", async () => {
    session.current = { user: { id: "deleted-user" } };

    await expect(render("/dashboard")).resolves.toBeTruthy();
  });
});
