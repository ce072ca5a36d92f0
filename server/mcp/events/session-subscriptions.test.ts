import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getRedis } from "../../redis";
import {
  MAX_SESSION_SUBSCRIPTIONS,
  readSessionSubscriptions,
  recordSubscriptionStep,
} from "./session-subscriptions";

// A session's subscriptions, folded from its log of steps: bounded in number, and whole however many
// steps the session has taken (the log is capped; snapshots keep what its trimmed steps said).

const LOG = { maxLen: 1_000, ttlMs: 60_000 };
const subscribe = (sessionKey: string, uri: string, serverId = "server-a") =>
  recordSubscriptionStep({ sessionKey, step: { op: "subscribe", serverId, uri } });
const unsubscribe = (sessionKey: string, uri: string, serverId = "server-a") =>
  recordSubscriptionStep({ sessionKey, step: { op: "unsubscribe", serverId, uri } });
const urisOf = async (sessionKey: string, serverId = "server-a") =>
  [...((await readSessionSubscriptions(sessionKey)).get(serverId) ?? [])].sort();

describe("session subscriptions", () => {
  it("folds subscribe and unsubscribe steps per backend", async () => {
    const session = randomUUID();
    await subscribe(session, "file:///a");
    await subscribe(session, "file:///b");
    await subscribe(session, "file:///a", "server-b");
    await unsubscribe(session, "file:///a");
    expect(await urisOf(session)).toEqual(["file:///b"]);
    expect(await urisOf(session, "server-b")).toEqual(["file:///a"]);
  });

  it("keeps an early subscription through more steps than the log holds", async () => {
    const session = randomUUID();
    await subscribe(session, "file:///kept");
    for (let i = 0; i < 400; i += 1) {
      await subscribe(session, "file:///toggled");
      await unsubscribe(session, "file:///toggled");
    }
    expect(await urisOf(session)).toEqual(["file:///kept"]);
    const entries = await getRedis().readLog(`mcp_session_subscriptions:${session}`, "0", 2_000);
    // Capped (Redis trims streams approximately, by whole nodes: a little over the cap is normal).
    expect(entries.length).toBeLessThan(650);
  });

  it("a step appended while a snapshot was made, before it in the log, still counts", async () => {
    const session = randomUUID();
    const key = `mcp_session_subscriptions:${session}`;
    const first = await getRedis().appendLog(
      key,
      JSON.stringify({ op: "subscribe", serverId: "server-a", uri: "file:///a" }),
      LOG,
    );
    // Another process's step lands after the snapshot writer read the log (through `first`)...
    await getRedis().appendLog(
      key,
      JSON.stringify({ op: "subscribe", serverId: "server-a", uri: "file:///b" }),
      LOG,
    );
    // ...and the snapshot, of the set through `first`, comes after it.
    await getRedis().appendLog(
      key,
      JSON.stringify({ op: "snapshot", upTo: first, subscriptions: { "server-a": ["file:///a"] } }),
      LOG,
    );
    expect(await urisOf(session)).toEqual(["file:///a", "file:///b"]);
  });

  it("refuses a subscription beyond the limit, but not one already held", async () => {
    const session = randomUUID();
    for (let i = 0; i < MAX_SESSION_SUBSCRIPTIONS; i += 1) {
      expect(await subscribe(session, `file:///${i}`)).toBe("recorded");
    }
    expect(await subscribe(session, "file:///one-too-many")).toBe("over_limit");
    expect(await subscribe(session, "file:///0")).toBe("recorded");
    expect((await urisOf(session)).length).toBe(MAX_SESSION_SUBSCRIPTIONS);
    await unsubscribe(session, "file:///0");
    expect(await subscribe(session, "file:///one-too-many")).toBe("recorded");
  });
});
