import type { Metadata } from "next";
import { PageHeader } from "@/components/dashboard/page-header";
import { ServersManager } from "@/components/servers/servers-manager";

export const metadata: Metadata = { title: "Servers" };

type ServersPageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ServersPage({ searchParams }: ServersPageProps) {
  // `?reconnect=<serverId>` is where Tumiki sends a user whose backend grant ended (ReAuthRequiredError).
  const { reconnect } = await searchParams;
  return (
    <section aria-labelledby="page-title" className="space-y-6">
      <PageHeader title="Servers" summary="The backend MCP servers you connect Tumiki to." />
      <ServersManager reconnectServerId={typeof reconnect === "string" ? reconnect : undefined} />
    </section>
  );
}
