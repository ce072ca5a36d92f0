import type { Metadata } from "next";
import { EmptyState } from "@/components/empty-state";

export const metadata: Metadata = { title: "Tokens" };

export default function TokensPage() {
  return (
    <EmptyState title="Tokens" summary="The access Tumiki holds on your behalf, in both directions.">
      Active sessions of your AI clients and the backend tokens Tumiki keeps for your servers will be listed
      here, with their expiry and refresh status, so you can revoke or reconnect any of them.
    </EmptyState>
  );
}
