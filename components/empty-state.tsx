import type { ReactNode } from "react";
import { PageHeader } from "./dashboard/page-header";

type EmptyStateProps = {
  title: string;
  /** One sentence: what this page is for. */
  summary: string;
  /** What will be listed here once the feature ships. */
  children: ReactNode;
};

/** A section that has nothing to show yet, saying so plainly instead of showing sample data. */
export function EmptyState({ title, summary, children }: EmptyStateProps) {
  return (
    <section aria-labelledby="page-title" className="space-y-6">
      <PageHeader title={title} summary={summary} />
      <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
        <p className="text-base font-medium text-slate-900">Nothing here yet</p>
        <div className="mx-auto mt-2 max-w-prose text-sm text-slate-600">{children}</div>
        <p className="mt-4 inline-block rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700">
          Arrives with a later release
        </p>
      </div>
    </section>
  );
}
