import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/server/db";
import { assertRateLimit } from "@/server/rate-limit/assert-rate-limit";
import { RATE_LIMIT_POLICIES } from "@/server/rate-limit/rate-limit-policies";
import { signTestAccessToken } from "@/server/testing/mcp-auth-fixtures";
import { createTestAiClient, createTestInstance, createTestUser } from "@/server/testing/tier1-fixtures";
import { waitForFreshWindow } from "@/server/testing/wait-for-fresh-window";
import { POST } from "./route";

// An operator's per-user /mcp limit (User.mcpRequestLimit) through the real route, withMcpAuth and
// the store the app uses (a real Redis when REDIS_URL is set): a user given 3 requests gets the
// proxy's 429 on the fourth; a user on the default limit does not.

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1" } },
};

let client: { id: string; clientId: string };

beforeAll(async () => {
  client = (await createTestAiClient()).client;
});

async function createCaller(mcpRequestLimit: number | null) {
  const user = await createTestUser();
  if (mcpRequestLimit !== null) {
    await getDb().user.update({ where: { id: user.id }, data: { mcpRequestLimit } });
  }
  const instance = await createTestInstance({ userId: user.id });
  const { token } = await signTestAccessToken({ userId: user.id, instanceId: instance.id, client });
  const call = () =>
    POST(
      new Request(`http://localhost:3000/mcp/${instance.id}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify(INITIALIZE),
      }),
      { params: Promise.resolve({ instanceId: instance.id }) },
    );
  return { userId: user.id, call };
}

describe("POST /mcp/{instanceId} with a per-user limit", () => {
  it("refuses the fourth request of a user limited to 3, with the proxy's 429, and no other user", async () => {
    await waitForFreshWindow(RATE_LIMIT_POLICIES.mcpRequest);
    const { call: limited } = await createCaller(3);
    const { call: ordinary } = await createCaller(null);

    for (let i = 0; i < 3; i++) expect((await limited()).status).toBe(200);
    const refused = await limited();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-limit")).toBe("3");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000 } });

    // A user on the default (1000 an hour) is not affected, neither by the other user's count nor limit.
    for (let i = 0; i < 5; i++) expect((await ordinary()).status).toBe(200);
  });

  it("lets a user whose limit was raised above the default through where the default would refuse", async () => {
    await waitForFreshWindow(RATE_LIMIT_POLICIES.mcpRequest);
    const defaultLimit = RATE_LIMIT_POLICIES.mcpRequest.attempts;
    const { userId, call: raised } = await createCaller(defaultLimit + 2);
    expect((await raised()).status).toBe(200);
    // Spend the rest of the default budget on the same count, as the route would.
    for (let i = 1; i < defaultLimit; i++) {
      await assertRateLimit("mcpRequest", userId, { attempts: defaultLimit + 2 });
    }
    // Request 1001 and 1002 pass; 1003 is over the user's own limit.
    expect((await raised()).status).toBe(200);
    expect((await raised()).status).toBe(200);
    expect((await raised()).status).toBe(429);
  });
});
