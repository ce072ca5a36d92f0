import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { secondaryButton } from "@/components/button-styles";
import { DashboardNav } from "@/components/dashboard-nav";
import { isExistingUserAccount } from "@/server/accounts/is-existing-user-account";
import { isOperator } from "@/server/admin/is-operator";
import { auth, signOut } from "@/server/next-auth";

async function signOutAction() {
  "use server";
  await signOut({ redirectTo: "/" });
}

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (!session?.user?.id) redirect("/sign-in");
  // The session is a JWT that outlives a deleted account; only the database knows the user is gone.
  if (!(await isExistingUserAccount({ userId: session.user.id }))) redirect("/sign-in");
  const operator = await isOperator({ userId: session.user.id });

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-10 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3">
          <Link
            href="/dashboard"
            className="rounded-sm text-lg font-bold tracking-tight focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-brand"
          >
            Tumiki
          </Link>
          <div className="flex items-center gap-3">
            <span className="max-w-48 truncate text-sm text-slate-600 sm:max-w-none" data-testid="user-email">
              {session.user.email}
            </span>
            <form action={signOutAction}>
              <button type="submit" className={secondaryButton}>
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <div className="mx-auto flex max-w-6xl flex-col gap-6 px-4 py-6 md:flex-row">
        <aside className="md:w-48 md:shrink-0">
          <DashboardNav isOperator={operator} />
        </aside>
        <main id="main" className="min-w-0 flex-1">
          {children}
        </main>
      </div>
    </div>
  );
}
