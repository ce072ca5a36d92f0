import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { scopeForTool } from "@/server/auth/scopes";
import { getDb } from "@/server/db";
import { publishInstanceChanged } from "@/server/instance-events/publish-instance-changed";
import { connectLegacyClient, connectModernClient } from "@/server/testing/era-clients";
import {
  addDemoOAuthServer,
  allowBackendHosts,
  createProxyInstance,
  issueInstanceCredentials,
  startTumikiProxy,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// Tool list changes reach a client only when what it would be shown of the server's tools changed
// (issue 13: "a client is not told about a change it cannot see"), for a 2025-11-25 client (SDK 1.x,
// its session's GET stream) and a 2026-07-28 client (SDK 2.x, subscriptions/listen), through the demo
// backend, whose tool descriptions change at run time (every live backend session then sends
// tools/list_changed). Pinning is on (the default): a changed tool the client can see is held back, so
// it leaves the client's list, a visible change; a changed tool it cannot see is held too, invisibly.
//
// Every client lists its tools again on each notification, as real clients do, and the test keeps
// what each list showed. Absence is shown by order, never by waiting for nothing: after the hidden
// change Tumiki has looked at it (the hold it records is in the database), then a visible change
// follows, and the client must have heard exactly one notification since before the hidden one.
// A pause longer than the streams' coalescing window (250 ms) comes before each counted step, so two
// notifications cannot merge into one and hide a wrong one.

const COALESCE_GAP_MS = 400;
const WAIT_MS = 15_000;

let proxy: TTumikiProxy;
let demo: TDemoBackend;
const undo: (() => void)[] = [];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  demo = await startDemoBackend({ port: 0, autoApproveAccount: `lc-${randomUUID()}` });
  undo.push(allowBackendHosts([new URL(demo.origin).host]));
}, 60_000);

afterEach(async () => {
  await Promise.allSettled(closers.splice(0).map((close) => close()));
  // Every tool serves its own description again for the next test (its instances are fresh).
  for (const tool of ["list_notes", "create_note", "search_notes", "count_slowly"]) {
    demo.setToolDescription(tool, null);
  }
});

afterAll(async () => {
  await proxy?.close();
  await demo?.close();
  for (const restore of undo.reverse()) restore();
});

type TEra = "2025-11-25" | "2026-07-28";

/** A client's tool names and descriptions, as one list showed them. */
type TSnapshot = Map<string, string | undefined>;

type TWatcher = {
  /** What the list showed after each notification, in order. */
  seen: TSnapshot[];
  listTools(): Promise<TSnapshot>;
  /** Resolves with the index of the first notification from `from` on whose list matches. */
  waitFor(match: (snapshot: TSnapshot) => boolean, from: number, what: string): Promise<number>;
};

/**
 * A client of either era connected through Tumiki, listening for tool list changes: every notification
 * makes it list again, and `prepare` runs between its first list and its listening.
 */
async function watch({
  era,
  url,
  bearer,
  prepare,
}: {
  era: TEra;
  url: string;
  bearer: string;
  prepare?: (list: () => Promise<TSnapshot>) => Promise<void>;
}): Promise<TWatcher> {
  const seen: TSnapshot[] = [];
  const waiters = new Set<() => void>();
  let listTools: () => Promise<TSnapshot>;
  const onChanged = () => {
    void listTools()
      .then((snapshot) => {
        seen.push(snapshot);
        for (const waiter of waiters) waiter();
      })
      .catch(() => undefined);
  };
  const toSnapshot = (tools: { name: string; description?: string }[]) =>
    new Map(tools.map((tool) => [tool.name, tool.description]));
  if (era === "2025-11-25") {
    const { client } = await connectLegacyClient({ url, bearer });
    closers.push(() => client.close());
    listTools = async () => toSnapshot((await client.listTools()).tools);
    await listTools();
    await prepare?.(listTools);
    // The SDK opened the session's GET stream once initialized; the handler counts from now on.
    client.setNotificationHandler(ToolListChangedNotificationSchema, onChanged);
  } else {
    const { client } = await connectModernClient({ url, bearer });
    closers.push(() => client.close());
    listTools = async () => toSnapshot((await client.listTools(undefined, { cacheMode: "bypass" })).tools);
    await listTools();
    await prepare?.(listTools);
    client.setNotificationHandler("notifications/tools/list_changed", onChanged);
    // Acknowledged once Tumiki listens to every backend (open-listen-stream.ts).
    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter.toolsListChanged).toBe(true);
    closers.unshift(() => subscription.close());
  }
  return {
    seen,
    listTools: () => listTools(),
    waitFor: (match, from, what) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const index = seen.findIndex((snapshot, at) => at >= from && match(snapshot));
          if (index < 0) return;
          done();
          resolve(index);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no notification ${what} within ${WAIT_MS} ms (${seen.length} seen)`));
        }, WAIT_MS);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Resolves once the instance holds the tool's changed definition: Tumiki has looked at the change. */
async function untilHeld(instanceId: string, tool: string) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const row = await getDb().instanceTool.findFirst({ where: { instanceId, name: tool } });
    if (row?.pendingDigest) return;
    if (Date.now() > deadline) throw new Error(`${tool} was not held within ${WAIT_MS} ms`);
    await sleep(50);
  }
}

/**
 * Makes a change to `tool` every client of `watchers` can see, until each heard of it (a 2025 client's
 * GET stream reaches the backend a moment after the client connected, and a change before that is
 * lost). Each change is a new description: the tool is held and leaves every list that showed it.
 */
async function syncOn(watchers: TWatcher[], tool: string) {
  for (let attempt = 1; ; attempt += 1) {
    demo.setToolDescription(tool, `Changed (attempt ${attempt}).`);
    const heard = await Promise.all(
      watchers.map((watcher) =>
        watcher
          .waitFor((snapshot) => !snapshot.has(tool), 0, `without ${tool}`)
          .then(
            () => true,
            () => false,
          ),
      ),
    );
    if (heard.every(Boolean)) return;
    if (attempt === 3) throw new Error(`not every client heard of a change to ${tool}`);
  }
}

async function demoInstance(userId: string) {
  const server = await addDemoOAuthServer({ userId, backend: demo });
  const instance = await createProxyInstance({ userId, connectionIds: [server.connectionId] });
  return { instanceId: instance.id, slug: server.slug, url: proxy.mcpUrl(instance.id) };
}

/** The owner chose every tool of the instance's server but `hidden` (after its first list pinned them). */
async function chooseAllBut(instanceId: string, hidden: string) {
  await getDb().mcpInstanceConnection.updateMany({
    where: { instanceId },
    data: { toolSelection: "CHOSEN" },
  });
  await getDb().instanceTool.updateMany({ where: { instanceId, name: hidden }, data: { chosen: false } });
}

describe.each<TEra>(["2025-11-25", "2026-07-28"])("a %s client", (era) => {
  it("hears of changes to tools it sees, never of one to a tool the instance's selection hides", async () => {
    const user = await createTestUser();
    const { instanceId, url } = await demoInstance(user.id);
    const { accessToken } = await issueInstanceCredentials({ userId: user.id, instanceId });
    const watcher = await watch({
      era,
      url,
      bearer: accessToken,
      prepare: async (list) => {
        await chooseAllBut(instanceId, "search_notes");
        // The owner's change reaches clients as an instance event; this one lists again at once.
        const shown = await list();
        expect(shown.has("search_notes")).toBe(false);
        expect(shown.has("list_notes")).toBe(true);
      },
    });
    await syncOn([watcher], "create_note");

    await sleep(COALESCE_GAP_MS);
    const before = watcher.seen.length;
    demo.setToolDescription("search_notes", "Hidden from this client, changed.");
    await untilHeld(instanceId, "search_notes");
    await sleep(COALESCE_GAP_MS);
    demo.setToolDescription("list_notes", "Visible to this client, changed.");
    const at = await watcher.waitFor((snapshot) => !snapshot.has("list_notes"), before, "without list_notes");
    expect(at, "a notification came before the visible change: the hidden one").toBe(before);
    expect(watcher.seen.length).toBe(before + 1);

    // The instance itself changing reaches the client whatever it sees (it may see something else now).
    await sleep(COALESCE_GAP_MS);
    await publishInstanceChanged([instanceId]);
    await watcher.waitFor(() => true, before + 1, "after the instance changed");
  }, 60_000);

  it("hears of a notice with which its server changed nothing (a gateway passes on what it cannot judge)", async () => {
    const user = await createTestUser();
    const { instanceId, url } = await demoInstance(user.id);
    const { accessToken } = await issueInstanceCredentials({ userId: user.id, instanceId });
    const watcher = await watch({ era, url, bearer: accessToken });
    await syncOn([watcher], "create_note");

    await sleep(COALESCE_GAP_MS);
    const before = watcher.seen.length;
    // Its own description again: every session sends tools/list_changed, and nothing listed differs.
    demo.setToolDescription("generate_text", null);
    await watcher.waitFor(() => true, before, "after a notice that changed nothing");
    expect(watcher.seen[before]?.has("generate_text")).toBe(true);
  }, 60_000);

  it("never hears of a change to a tool outside its token's tool scopes", async () => {
    const user = await createTestUser();
    const { instanceId, slug, url } = await demoInstance(user.id);
    const scopes = ["list_notes", "create_note", "count_slowly"].map((tool) => scopeForTool(slug, tool));
    const { accessToken } = await issueInstanceCredentials({ userId: user.id, instanceId, scopes });
    const watcher = await watch({ era, url, bearer: accessToken });
    expect([...(await watcher.listTools()).keys()].sort()).toEqual([
      "count_slowly",
      "create_note",
      "list_notes",
    ]);
    await syncOn([watcher], "create_note");

    await sleep(COALESCE_GAP_MS);
    const before = watcher.seen.length;
    demo.setToolDescription("search_notes", "Outside the token's scopes, changed.");
    await untilHeld(instanceId, "search_notes");
    await sleep(COALESCE_GAP_MS);
    demo.setToolDescription("count_slowly", "In the token's scopes, changed.");
    const at = await watcher.waitFor(
      (snapshot) => !snapshot.has("count_slowly"),
      before,
      "without count_slowly",
    );
    expect(at, "a notification came before the visible change: the hidden one").toBe(before);
    expect(watcher.seen.length).toBe(before + 1);
  }, 60_000);

  it("two users on different selections never get each other's filtering", async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const a = await demoInstance(alice.id);
    const b = await demoInstance(bob.id);
    const aliceToken = (await issueInstanceCredentials({ userId: alice.id, instanceId: a.instanceId }))
      .accessToken;
    const bobToken = (await issueInstanceCredentials({ userId: bob.id, instanceId: b.instanceId }))
      .accessToken;
    // Alice does not see search_notes; Bob does not see list_notes.
    const aliceWatcher = await watch({
      era,
      url: a.url,
      bearer: aliceToken,
      prepare: async (list) => {
        await chooseAllBut(a.instanceId, "search_notes");
        await list();
      },
    });
    const bobWatcher = await watch({
      era,
      url: b.url,
      bearer: bobToken,
      prepare: async (list) => {
        await chooseAllBut(b.instanceId, "list_notes");
        await list();
      },
    });
    await syncOn([aliceWatcher, bobWatcher], "create_note");

    await sleep(COALESCE_GAP_MS);
    const aliceBefore = aliceWatcher.seen.length;
    const bobBefore = bobWatcher.seen.length;
    // Seen by Bob only.
    demo.setToolDescription("search_notes", "Changed for everyone, seen by Bob.");
    await bobWatcher.waitFor((snapshot) => !snapshot.has("search_notes"), bobBefore, "for Bob");
    await untilHeld(a.instanceId, "search_notes");
    await sleep(COALESCE_GAP_MS);
    // Seen by Alice only.
    demo.setToolDescription("list_notes", "Changed for everyone, seen by Alice.");
    await aliceWatcher.waitFor((snapshot) => !snapshot.has("list_notes"), aliceBefore, "for Alice");
    await untilHeld(b.instanceId, "list_notes");
    await sleep(COALESCE_GAP_MS);
    // Seen by both: create_note, held since the sync, back as it was approved.
    demo.setToolDescription("create_note", null);
    const hasCreateNote = (snapshot: TSnapshot) => snapshot.has("create_note");
    await aliceWatcher.waitFor(hasCreateNote, aliceBefore, "with create_note again, for Alice");
    await bobWatcher.waitFor(hasCreateNote, bobBefore, "with create_note again, for Bob");

    const summarize = (seen: TSnapshot[]) =>
      seen.map((snapshot) =>
        ["create_note", "list_notes", "search_notes"].filter((tool) => snapshot.has(tool)).join(","),
      );
    expect(summarize(aliceWatcher.seen.slice(aliceBefore))).toEqual(["", "create_note"]);
    expect(summarize(bobWatcher.seen.slice(bobBefore))).toEqual(["", "create_note"]);
  }, 90_000);
});
