import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { UserLimitsManager } from "@/components/admin/user-limits-manager";
import { PageHeader } from "@/components/dashboard/page-header";
import { isOperator } from "@/server/admin/is-operator";
import { auth } from "@/server/next-auth";

export const metadata: Metadata = { title: "Admin" };

// Operators only (ADMIN_EMAILS); anyone else gets the ordinary 404, learning nothing. The admin router
// checks again on every call.
export default async function AdminPage() {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId || !(await isOperator({ userId }))) notFound();

  return (
    <section aria-labelledby="page-title" className="space-y-6">
      <PageHeader
        title="Admin"
        summary="Per-user /mcp rate limits: give an agent-heavy user more (or a runaway one less) than the default."
      />
      <UserLimitsManager />
    </section>
  );
}
