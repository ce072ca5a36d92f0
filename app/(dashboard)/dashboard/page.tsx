import type { Metadata } from "next";
import { DashboardHome } from "@/components/dashboard/dashboard-home";
import { PageHeader } from "@/components/dashboard/page-header";
import { auth } from "@/server/next-auth";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const session = await auth();
  return (
    <section aria-labelledby="page-title" className="space-y-8">
      <PageHeader
        title="Dashboard"
        summary={
          <>
            Signed in as <span className="font-medium text-slate-900">{session?.user?.email}</span>.
          </>
        }
      />
      <DashboardHome />
    </section>
  );
}
