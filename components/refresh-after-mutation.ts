type TRefreshable = { cancel(): Promise<void>; invalidate(): Promise<void> };

/**
 * Refetches lists after a mutation changed them. A fetch already under way is cancelled first: the
 * server may have answered it before the mutation committed, and TanStack Query hands a first load
 * that has no data yet to the invalidation instead of refetching, so the page would keep the stale
 * answer (an instance created while the page was still loading would not appear).
 */
export async function refreshAfterMutation(...targets: TRefreshable[]): Promise<void> {
  await Promise.all(targets.map((target) => target.cancel()));
  await Promise.all(targets.map((target) => target.invalidate()));
}
