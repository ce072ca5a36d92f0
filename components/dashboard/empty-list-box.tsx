import type { ReactNode } from "react";

const emptyBox =
  "rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600";

type EmptyListBoxProps = {
  /** A short headline; without one the explanation stands alone. */
  title?: string;
  /** What would be listed here and how to get there. */
  children: ReactNode;
};

/** Stands in for a list that has nothing yet, saying why instead of showing an empty table. */
export function EmptyListBox({ title, children }: EmptyListBoxProps) {
  if (!title) return <div className={emptyBox}>{children}</div>;
  return (
    <div className={emptyBox}>
      <p className="text-base font-medium text-slate-900">{title}</p>
      <p className="mt-2">{children}</p>
    </div>
  );
}
