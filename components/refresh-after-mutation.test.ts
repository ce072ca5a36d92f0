import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { refreshAfterMutation } from "./refresh-after-mutation";

// The race behind the helper, on a real QueryClient: the page's first load of a list is still under
// way when a mutation commits, and that load was answered before the commit.

function setUp() {
  const client = new QueryClient();
  let rows = ["before"];
  let answerFirstLoad: (() => void) | undefined;
  let calls = 0;
  const queryFn = () => {
    calls += 1;
    const snapshot = [...rows];
    // The first load is answered (with what the server had then) only when the test says so.
    if (calls === 1) return new Promise<string[]>((resolve) => (answerFirstLoad = () => resolve(snapshot)));
    return Promise.resolve(snapshot);
  };
  const observer = new QueryObserver(client, { queryKey: ["list"], queryFn });
  const unsubscribe = observer.subscribe(() => {});
  const target = {
    cancel: () => client.cancelQueries({ queryKey: ["list"] }),
    invalidate: () => client.invalidateQueries({ queryKey: ["list"] }),
  };
  return {
    client,
    target,
    commitMutation: () => {
      rows = ["before", "created"];
    },
    answerFirstLoad: () => answerFirstLoad?.(),
    data: () => client.getQueryData<string[]>(["list"]),
    done: unsubscribe,
  };
}

describe("refreshAfterMutation", () => {
  it("shows what the mutation created even when the first load was answered before it", async () => {
    const page = setUp();
    page.commitMutation();
    const refreshed = refreshAfterMutation(page.target);
    page.answerFirstLoad();
    await refreshed;
    expect(page.data()).toEqual(["before", "created"]);
    page.done();
  });

  it("is needed: a plain invalidation keeps the first load's stale answer", async () => {
    const page = setUp();
    page.commitMutation();
    const invalidated = page.target.invalidate();
    page.answerFirstLoad();
    await invalidated;
    expect(page.data()).toEqual(["before"]);
    page.done();
  });
});
