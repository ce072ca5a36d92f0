import type { Metadata } from "next";
import { EmptyState } from "@/components/empty-state";

export const metadata: Metadata = { title: "AI clients" };

export default function ClientsPage() {
  return (
    <EmptyState title="AI clients" summary="The AI clients you have allowed to use your instances.">
      Clients such as Claude Code, Cursor or VS Code will be listed here after you approve them on the consent
      screen, with the instances and scopes each may use, and a way to revoke that access.
    </EmptyState>
  );
}
