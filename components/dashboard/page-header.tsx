import type { ReactNode } from "react";

type PageHeaderProps = { title: string; summary: ReactNode };

/** The h1 of a dashboard page (labels the page's section via id="page-title"). */
export function PageHeader({ title, summary }: PageHeaderProps) {
  return (
    <header className="space-y-1">
      <h1 id="page-title" className="text-2xl font-semibold tracking-tight text-slate-900">
        {title}
      </h1>
      <p className="text-slate-600">{summary}</p>
    </header>
  );
}
