import type { Metadata } from "next";
import { PageHeader } from "@/components/dashboard/page-header";
import { InstancesManager } from "@/components/instances/instances-manager";

export const metadata: Metadata = { title: "Instances" };

export default function InstancesPage() {
  return (
    <section aria-labelledby="page-title" className="space-y-6">
      <PageHeader
        title="Instances"
        summary="Bundles of your connected servers, each with one URL for AI clients."
      />
      <InstancesManager />
    </section>
  );
}
