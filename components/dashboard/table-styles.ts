// Class lists of the dashboard's data tables, so every list reads the same.

export const tableWrapper = "overflow-x-auto rounded-xl border border-slate-200 bg-white";
export const table = "min-w-full divide-y divide-slate-200 text-left text-sm";
export const headerCell = "px-4 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500";
export const cell = "px-4 py-3 align-top text-slate-700";
export const card = "rounded-xl border border-slate-200 bg-white p-6";
export const emptyBox =
  "rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600";
