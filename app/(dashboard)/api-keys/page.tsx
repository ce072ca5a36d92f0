import type { Metadata } from "next";
import { EmptyState } from "@/components/empty-state";

export const metadata: Metadata = { title: "API keys" };

export default function ApiKeysPage() {
  return (
    <EmptyState title="API keys" summary="Keys for clients and scripts that cannot sign in with OAuth.">
      API keys you create will be listed here with their scopes and when they were last used. A key is shown
      once, when it is created; afterwards only its prefix is kept.
    </EmptyState>
  );
}
