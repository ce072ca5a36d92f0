import type { Metadata } from "next";
import { PageHeader } from "@/components/dashboard/page-header";
import { BackendTokensManager } from "@/components/tokens/backend-tokens-manager";

export const metadata: Metadata = { title: "Tokens" };

export default function TokensPage() {
  return (
    <section aria-labelledby="page-title" className="space-y-6">
      <PageHeader
        title="Tokens"
        summary="The tokens Tumiki holds for your backend servers: when they expire, how often Tumiki refreshed them, and what to do when a server needs you to sign in again."
      />
      <BackendTokensManager />
    </section>
  );
}
