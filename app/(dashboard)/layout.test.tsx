import { isValidElement, type ReactNode } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { DashboardNav } from "@/components/dashboard-nav";
import DashboardLayout from "./layout";

// The layout is an async server component: calling it runs its checks without rendering anything.
const session = vi.hoisted(() => ({ current: null as null | { user: { id: string; email: string } } }));
const existingUserIds = vi.hoisted(() => new Set<string>());
const operatorIds = vi.hoisted(() => new Set<string>());

vi.mock("@/server/next-auth", () => ({ auth: async () => session.current, signOut: vi.fn() }));
vi.mock("@/server/accounts/is-existing-user-account", () => ({
  isExistingUserAccount: async ({ userId }: { userId: string }) => existingUserIds.has(userId),
}));
vi.mock("@/server/admin/is-operator", () => ({
  isOperator: async ({ userId }: { userId: string }) => operatorIds.has(userId),
}));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new Error(`NEXT_REDIRECT ${url}`);
  },
  usePathname: () => "/dashboard",
}));

describe("DashboardLayout", () => {
  beforeEach(() => {
    session.current = null;
    existingUserIds.clear();
    operatorIds.clear();
  });

  it("sends a visitor without a session to sign-in", async () => {
    await expect(DashboardLayout({ children: null })).rejects.toThrow("NEXT_REDIRECT /sign-in");
  });

  it("sends the still-valid session of a deleted user to sign-in", async () => {
    session.current = { user: { id: "deleted-user", email: "gone@example.com" } };

    await expect(DashboardLayout({ children: null })).rejects.toThrow("NEXT_REDIRECT /sign-in");
  });

  it("renders for a session whose user exists", async () => {
    session.current = { user: { id: "user-1", email: "here@example.com" } };
    existingUserIds.add("user-1");

    await expect(DashboardLayout({ children: null })).resolves.toBeTruthy();
  });

  it("shows the Admin link to operators only", async () => {
    existingUserIds.add("user-1");
    existingUserIds.add("operator-1");
    operatorIds.add("operator-1");

    session.current = { user: { id: "user-1", email: "here@example.com" } };
    expect(findNavProps(await DashboardLayout({ children: null }))).toEqual({ isOperator: false });
    session.current = { user: { id: "operator-1", email: "ops@example.com" } };
    expect(findNavProps(await DashboardLayout({ children: null }))).toEqual({ isOperator: true });
  });
});

/** The props the layout gives the navigation, found in the element tree it returns. */
function findNavProps(node: ReactNode): unknown {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = findNavProps(child);
      if (found) return found;
    }
    return undefined;
  }
  if (!isValidElement<{ children?: ReactNode }>(node)) return undefined;
  if (node.type === DashboardNav) return node.props;
  return findNavProps(node.props.children);
}
