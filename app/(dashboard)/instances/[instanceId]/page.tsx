import type { Metadata } from "next";
import { InstanceTools } from "@/components/tool-controls/instance-tools";

export const metadata: Metadata = { title: "Instance tools" };

export default async function InstancePage({ params }: { params: Promise<{ instanceId: string }> }) {
  const { instanceId } = await params;
  return (
    <section aria-labelledby="page-title" className="space-y-6">
      <InstanceTools instanceId={instanceId} />
    </section>
  );
}
