import type { Metadata } from "next";
import { EmptyState } from "@/components/empty-state";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditPage() {
  return (
    <EmptyState
      title="Audit log"
      summary="A record of sign-ins, authorizations and tool calls on your account."
    >
      Events such as sign-ins, consents, token refreshes and tool calls will be listed here, newest first,
      with their outcome. Tool arguments and results are never recorded.
    </EmptyState>
  );
}
