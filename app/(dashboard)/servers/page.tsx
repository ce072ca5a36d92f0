import type { Metadata } from "next";
import { PageHeader } from "@/components/dashboard/page-header";
import { ServersManager } from "@/components/servers/servers-manager";

export const metadata: Metadata = { title: "Servers" };

export default function ServersPage() {
  return (
    <section aria-labelledby="page-title" className="space-y-6">
      <PageHeader title="Servers" summary="The backend MCP servers you connect Tumiki to." />
      <ServersManager />
    </section>
  );
}
