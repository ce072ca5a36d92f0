import type { Metadata } from "next";
import { EmptyState } from "@/components/empty-state";

export const metadata: Metadata = { title: "Servers" };

export default function ServersPage() {
  return (
    <EmptyState title="Servers" summary="The backend MCP servers you connect Tumiki to.">
      Remote MCP servers such as Notion, Figma or Linear will be listed here with their connection status. You
      will connect each one with your own account, and Tumiki will keep its tokens encrypted and refreshed.
    </EmptyState>
  );
}
