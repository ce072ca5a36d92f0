import type { ReactNode } from "react";

const tableWrapper = "overflow-x-auto rounded-xl border border-slate-200 bg-white";
const table = "min-w-full divide-y divide-slate-200 text-left text-sm";
const headerCell = "px-4 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500";

type DataTableProps = {
  /** Read by screen readers only: what the table lists. */
  caption: string;
  columns: readonly string[];
  /** Adds a last, visually unlabelled column for per-row buttons (named "Actions" for screen readers). */
  hasActions?: boolean;
  /** The <tr> rows. */
  children: ReactNode;
};

/** The shell every dashboard list shares, so tables scroll, read and are announced the same way. */
export function DataTable({ caption, columns, hasActions = false, children }: DataTableProps) {
  return (
    <div className={tableWrapper}>
      <table className={table}>
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50">
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col" className={headerCell}>
                {column}
              </th>
            ))}
            {hasActions ? (
              <th scope="col" className={headerCell}>
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}
