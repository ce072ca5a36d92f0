// Class lists of the dashboard's data tables, so every list reads the same.

export const cell = "px-4 py-3 align-top text-slate-700";
export const card = "rounded-xl border border-slate-200 bg-white p-6";
