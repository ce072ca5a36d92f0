import type { Metadata } from "next";
import { ApiKeysManager } from "@/components/api-keys/api-keys-manager";
import { PageHeader } from "@/components/dashboard/page-header";

export const metadata: Metadata = { title: "API keys" };

export default function ApiKeysPage() {
  return (
    <section aria-labelledby="page-title" className="space-y-6">
      <PageHeader title="API keys" summary="Keys for clients and scripts that cannot sign in with OAuth." />
      <ApiKeysManager />
    </section>
  );
}
