import { afterEach, describe, expect, it, vi } from "vitest";
import type { TInstanceBackend } from "../get-instance-backends";
import type { TMcpRequestContext } from "../mcp-request-context";
import { createToolChangeFilter } from "./create-tool-change-filter";
import { fingerprintListedTools } from "./fingerprint-listed-tools";
import { hasToolListChangedForClient, type TToolListCheck } from "./has-tool-list-changed-for-client";

// The pure parts of filtering tool list changes: what a client was shown, as a fingerprint, and how a
// stream's filter spends listings on a burst of notifications. The listing itself (a real backend
// through the tool controls) is covered end to end in proxy-tools-list-changed.db.test.ts; here it is
// replaced, so each check can be held open and its outcome chosen.

vi.mock("./has-tool-list-changed-for-client", () => ({ hasToolListChangedForClient: vi.fn() }));

const check = vi.mocked(hasToolListChangedForClient);

afterEach(() => {
  check.mockReset();
});

describe("fingerprintListedTools", () => {
  const search = { name: "search", description: "Searches.", inputSchema: { type: "object" } };
  const list = { name: "list", description: "Lists." };

  it("does not depend on the order of the tools or of their fields", () => {
    const reordered = { inputSchema: { type: "object" }, description: "Searches.", name: "search" };
    expect(fingerprintListedTools([search, list])).toBe(fingerprintListedTools([list, reordered]));
  });

  it("changes with any field a client reads, _meta and icons included, and with the set of tools", () => {
    const base = fingerprintListedTools([search, list]);
    expect(fingerprintListedTools([{ ...search, description: "Searches all." }, list])).not.toBe(base);
    expect(fingerprintListedTools([{ ...search, _meta: { v: 2 } }, list])).not.toBe(base);
    expect(fingerprintListedTools([{ ...search, icons: [{ src: "x" }] }, list])).not.toBe(base);
    expect(fingerprintListedTools([search])).not.toBe(base);
    expect(fingerprintListedTools([])).not.toBe(base);
  });
});

describe("createToolChangeFilter", () => {
  const backend = (mcpServerId: string, slug: string) => ({ mcpServerId, slug }) as TInstanceBackend;
  const ctx = {
    auth: { kind: "api_key", userId: "u1", instanceId: "i1", apiKeyId: "k1", scopes: ["mcp:access:*"] },
    instanceId: "i1",
    client: { era: "modern", principal: "i1\napi_key:k1", capabilities: {}, logLevel: null },
    backends: [backend("s1", "one"), backend("s2", "two")],
    signal: new AbortController().signal,
  } as unknown as TMcpRequestContext;

  /** Checks that stay open until the test settles them, in the order they started. */
  const heldChecks = () => {
    const pending: { serverId: string; baseline?: string; settle: (result: TToolListCheck) => void }[] = [];
    check.mockImplementation(
      ({ mcpServerId, baseline }) =>
        new Promise((resolve) => pending.push({ serverId: mcpServerId, baseline, settle: resolve })),
    );
    return pending;
  };
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(condition()).toBe(true);
  };

  it("spends one listing on a burst, and one more for what came while it ran; delivers only changes", async () => {
    const pending = heldChecks();
    const stop = new AbortController();
    const filter = createToolChangeFilter({ ctx, signal: stop.signal });
    const delivered: string[] = [];
    filter.onChange("s1", () => delivered.push("first"));
    await until(() => pending.length === 1);
    for (const n of [2, 3, 4, 5]) filter.onChange("s1", () => delivered.push(`burst ${n}`));
    pending[0]?.settle({ changed: false, fingerprint: "f1" });
    await until(() => pending.length === 2);
    // The second listing knows what the first saw: its baseline.
    expect(pending[1]?.baseline).toBe("f1");
    pending[1]?.settle({ changed: true, fingerprint: "f2" });
    await until(() => delivered.length === 1);
    // Nothing came meanwhile: no third listing (the loop decided that as it delivered); the latest
    // notification of the burst was the one sent.
    expect(check).toHaveBeenCalledTimes(2);
    expect(delivered).toEqual(["burst 5"]);
    stop.abort();
  });

  it("checks each server on its own, and forgets what it knew when the instance changed", async () => {
    const pending = heldChecks();
    const stop = new AbortController();
    const filter = createToolChangeFilter({ ctx, signal: stop.signal });
    const delivered: string[] = [];
    filter.onChange("s1", () => delivered.push("s1"));
    filter.onChange("s2", () => delivered.push("s2"));
    await until(() => pending.length === 2);
    expect(pending.map((entry) => entry.serverId).sort()).toEqual(["s1", "s2"]);
    for (const entry of pending) entry.settle({ changed: entry.serverId === "s2", fingerprint: "f" });
    await until(() => delivered.length === 1);
    expect(delivered).toEqual(["s2"]);

    filter.onChange("s1", () => delivered.push("s1 again"));
    await until(() => pending.length === 3);
    expect(pending[2]?.baseline).toBe("f");
    pending[2]?.settle({ changed: false, fingerprint: "f" });
    filter.reset();
    filter.onChange("s1", () => delivered.push("s1 after reset"));
    await until(() => pending.length === 4);
    expect(pending[3]?.baseline).toBeUndefined();
    pending[3]?.settle({ changed: true, fingerprint: "g" });
    await until(() => delivered.length === 2);
    expect(delivered).toEqual(["s2", "s1 after reset"]);
    stop.abort();
  });

  it("delivers nothing once its stream ended", async () => {
    const pending = heldChecks();
    const stop = new AbortController();
    const filter = createToolChangeFilter({ ctx, signal: stop.signal });
    const delivered: string[] = [];
    filter.onChange("s1", () => delivered.push("late"));
    await until(() => pending.length === 1);
    stop.abort();
    pending[0]?.settle({ changed: true, fingerprint: "f" });
    // The check's outcome is handled in microtasks, all run before the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    expect(delivered).toEqual([]);
    filter.onChange("s1", () => delivered.push("later"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(check).toHaveBeenCalledTimes(1);
  });
});
