import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as revoke } from "@/app/oauth/revoke/route";
import { POST as token } from "@/app/oauth/token/route";
import type { AiClient } from "@/server/generated/prisma/client";
import {
  createTestAiClient,
  createTestAuthorizationCode,
  createTestInstance,
  createTestUser,
  formPostRequest,
  stubTrustedProxyHop,
} from "@/server/testing/tier1-fixtures";
import { listAuthorizedClients } from "./list-authorized-clients";

// The AI clients page's "Last token issued", fed by the real token and revocation endpoints: an
// issuance and every refresh move it; a client revoking its own refresh token (signing out) does not
// erase it while its consent keeps it on the page.

stubTrustedProxyHop();

let userId: string;
let instanceId: string;
let client: AiClient;
const start = Date.now();

beforeEach(async () => {
  userId = (await createTestUser()).id;
  instanceId = (await createTestInstance({ userId })).id;
  client = (await createTestAiClient()).client;
});

afterEach(() => {
  vi.useRealTimers();
});

/** Runs the next requests as if at `at`: only Date is faked, timers and I/O run as usual. */
function at(offsetMs: number): Date {
  const now = new Date(start + offsetMs);
  vi.useFakeTimers({ toFake: ["Date"], now });
  return now;
}

const post = (path: string, params: Record<string, string>) =>
  formPostRequest(`http://localhost:3000${path}`, params);

async function exchangeCode(): Promise<string> {
  const { code, codeVerifier, redirectUri } = await createTestAuthorizationCode({
    clientId: client.id,
    userId,
    instanceId,
  });
  const response = await token(
    post("/oauth/token", {
      grant_type: "authorization_code",
      code,
      code_verifier: codeVerifier,
      redirect_uri: redirectUri,
      client_id: client.clientId,
    }),
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { refresh_token: string }).refresh_token;
}

async function refresh(refreshToken: string): Promise<string> {
  const response = await token(
    post("/oauth/token", {
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: client.clientId,
    }),
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { refresh_token: string }).refresh_token;
}

async function shownLastIssued(): Promise<Date | null | undefined> {
  const listed = await listAuthorizedClients({ userId });
  expect(listed.map((entry) => entry.id)).toEqual([client.id]);
  return listed[0]?.lastUsedAt;
}

describe("Last token issued on the AI clients page", () => {
  it("is the time of the code exchange, then of each refresh", async () => {
    const issuedAt = at(0);
    const first = await exchangeCode();
    expect(await shownLastIssued()).toEqual(issuedAt);

    const refreshedAt = at(5 * 60_000);
    const second = await refresh(first);
    expect(await shownLastIssued()).toEqual(refreshedAt);

    const refreshedAgainAt = at(9 * 60_000);
    await refresh(second);
    expect(await shownLastIssued()).toEqual(refreshedAgainAt);
  });

  it("stays after the client revokes its refresh token, its consent still listing it", async () => {
    at(0);
    const first = await exchangeCode();
    const refreshedAt = at(2 * 60_000);
    const second = await refresh(first);

    at(3 * 60_000);
    const revoked = await revoke(post("/oauth/revoke", { token: second, client_id: client.clientId }));
    expect(revoked.status).toBe(200);
    // The revocation took effect: the refresh token is refused now.
    const refused = await token(
      post("/oauth/token", {
        grant_type: "refresh_token",
        refresh_token: second,
        client_id: client.clientId,
      }),
    );
    expect(refused.status).toBe(400);

    expect(await shownLastIssued()).toEqual(refreshedAt);
  });

  it("says Never (null) for a client the user consented to but that never redeemed a code", async () => {
    await createTestAuthorizationCode({ clientId: client.id, userId, instanceId });
    expect(await shownLastIssued()).toBeNull();
  });
});
