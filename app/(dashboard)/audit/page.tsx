import type { Metadata } from "next";
import { AuditLog } from "@/components/audit/audit-log";
import { PageHeader } from "@/components/dashboard/page-header";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditPage() {
  return (
    <section aria-labelledby="page-title" className="space-y-6">
      <PageHeader
        title="Audit log"
        summary="A record of sign-ins, authorizations and access to your instances, newest first."
      />
      <AuditLog />
    </section>
  );
}
