import type { Metadata } from "next";
import { EmptyState } from "@/components/empty-state";

export const metadata: Metadata = { title: "Instances" };

export default function InstancesPage() {
  return (
    <EmptyState
      title="Instances"
      summary="Bundles of your connected servers, each with one URL for AI clients."
    >
      Each instance you create will appear here with its <code className="font-mono">/mcp/…</code> URL and the
      servers it includes. An AI client needs nothing but that URL to connect.
    </EmptyState>
  );
}
