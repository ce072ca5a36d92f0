import type { ReactNode } from "react";
import { FormAlert } from "../auth/form-alert";
import { describeMutationError } from "./format";

type ListQueryResultProps<TItem> = {
  query: { data: readonly TItem[] | undefined; error: unknown; isPending: boolean };
  /** Shown while the first load runs, e.g. "Loading servers…". */
  loadingText: string;
  /** Shown instead of `children` when the list is empty. */
  empty: ReactNode;
  children: (items: readonly TItem[]) => ReactNode;
};

/**
 * One of the four states of a dashboard list query: loading, failed (the safe server message, announced),
 * empty, or the items. A failed refetch shows its error rather than stale data.
 */
export function ListQueryResult<TItem>({ query, loadingText, empty, children }: ListQueryResultProps<TItem>) {
  if (!query.isPending && query.error) return <FormAlert message={describeMutationError(query.error)} />;
  // Without an error, data is only undefined while pending; checking it narrows the type for `children`.
  if (query.isPending || query.data === undefined) {
    return <p className="text-sm text-slate-600">{loadingText}</p>;
  }
  return query.data.length === 0 ? empty : children(query.data);
}
