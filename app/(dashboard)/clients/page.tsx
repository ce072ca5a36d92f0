import type { Metadata } from "next";
import { AuthorizedClients } from "@/components/clients/authorized-clients";
import { M2mClients } from "@/components/clients/m2m-clients";
import { PageHeader } from "@/components/dashboard/page-header";
import { getAppUrl } from "@/server/auth/resource-urls";

export const metadata: Metadata = { title: "AI clients" };

export default function ClientsPage() {
  return (
    <section aria-labelledby="page-title" className="space-y-8">
      <PageHeader title="AI clients" summary="The AI clients you have allowed to use your instances." />
      <AuthorizedClients />
      <M2mClients tokenEndpoint={getAppUrl("/oauth/token")} />
    </section>
  );
}
