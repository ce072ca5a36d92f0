import { TRPCClientError } from "@trpc/client";

// Display helpers shared by the dashboard pages.

const dateTime = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

export function formatDateTime(value: Date | null | undefined, empty = "Never"): string {
  return value ? dateTime.format(value) : empty;
}

export function formatDate(value: Date | null | undefined, empty = "Never"): string {
  return value ? dateOnly.format(value) : empty;
}

/** A duration as people read it: "840 ms", "2.4 s". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** The safe message the tRPC edge sent (server/api/trpc.ts), or a generic one if the call never got there. */
export function describeMutationError(error: unknown): string | null {
  if (!error) return null;
  if (error instanceof TRPCClientError && error.message) return error.message;
  return "Tumiki could not be reached. Check your connection and try again.";
}

/** Per-field messages of a refused input, keyed by field name. */
export function getFieldErrors(error: unknown): Record<string, string | undefined> {
  if (!(error instanceof TRPCClientError)) return {};
  const fieldErrors =
    (error.data as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors ?? {};
  return Object.fromEntries(Object.entries(fieldErrors).map(([field, messages]) => [field, messages[0]]));
}
