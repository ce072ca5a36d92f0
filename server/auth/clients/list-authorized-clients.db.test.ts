import { describe, expect, it } from "vitest";
import { getDb } from "../../db";
import { listAuthorizedClients } from "./list-authorized-clients";

const db = getDb();
let counter = 0;

async function createUserWithInstance(instanceName = "Work") {
  counter += 1;
  const user = await db.user.create({ data: { email: `clients-${counter}-${Date.now()}@example.test` } });
  const instance = await db.mcpInstance.create({ data: { userId: user.id, name: instanceName } });
  return { user, instance };
}

async function createClient(data: { kind: "DYNAMIC" | "CIMD" | "M2M"; name?: string; clientId?: string }) {
  counter += 1;
  return db.aiClient.create({
    data: { clientId: data.clientId ?? `client-${counter}`, kind: data.kind, name: data.name },
  });
}

function family(userId: string, clientId: string, instanceId: string, extra: object = {}) {
  return db.refreshTokenFamily.create({
    data: { userId, clientId, instanceId, scopes: ["mcp:access:*"], resource: "https://x/mcp", ...extra },
  });
}

describe("listAuthorizedClients", () => {
  it("lists clients with a live consent or refresh family, one entry per client", async () => {
    const { user, instance } = await createUserWithInstance("Work");
    const second = await db.mcpInstance.create({ data: { userId: user.id, name: "Home" } });
    const claude = await createClient({ kind: "DYNAMIC", name: "Claude Code" });
    const cimd = await createClient({ kind: "CIMD", clientId: "https://app.example.com/client.json" });
    await db.consent.create({
      data: { userId: user.id, clientId: claude.id, instanceId: instance.id, scopes: ["mcp:access:docs"] },
    });
    await family(user.id, claude.id, second.id, { lastUsedAt: new Date("2025-05-01T00:00:00Z") });
    await family(user.id, cimd.id, instance.id);

    const clients = await listAuthorizedClients({ userId: user.id });

    expect(clients.map((client) => client.name)).toEqual([
      "Claude Code",
      "https://app.example.com/client.json",
    ]);
    expect(clients[0]).toMatchObject({
      id: claude.id,
      kind: "DYNAMIC",
      origin: "Registered dynamically",
      lastUsedAt: new Date("2025-05-01T00:00:00Z"),
      instances: [
        { instanceName: "Home", scopes: ["mcp:access:*"], consentedAt: null },
        { instanceName: "Work", scopes: ["mcp:access:docs"], consentedAt: expect.any(Date) },
      ],
    });
    expect(clients[1]).toMatchObject({ kind: "CIMD", origin: "app.example.com" });
  });

  it("leaves out revoked consents and families", async () => {
    const { user, instance } = await createUserWithInstance();
    const client = await createClient({ kind: "DYNAMIC", name: "Gone" });
    await db.consent.create({
      data: {
        userId: user.id,
        clientId: client.id,
        instanceId: instance.id,
        scopes: [],
        revokedAt: new Date(),
      },
    });
    await family(user.id, client.id, instance.id, { revokedAt: new Date(), revokedReason: "user_revoked" });

    expect(await listAuthorizedClients({ userId: user.id })).toEqual([]);
  });

  it("never shows another user's authorizations, nor another user's use of a shared client", async () => {
    const { user, instance } = await createUserWithInstance();
    const { user: other, instance: otherInstance } = await createUserWithInstance("Theirs");
    const shared = await createClient({ kind: "CIMD", clientId: `https://shared.example/${counter}.json` });
    await db.aiClient.update({ where: { id: shared.id }, data: { lastUsedAt: new Date() } });
    await family(other.id, shared.id, otherInstance.id, { lastUsedAt: new Date() });

    expect(await listAuthorizedClients({ userId: user.id })).toEqual([]);

    await db.consent.create({
      data: { userId: user.id, clientId: shared.id, instanceId: instance.id, scopes: ["mcp:access:*"] },
    });
    const [listed] = await listAuthorizedClients({ userId: user.id });
    expect(listed).toMatchObject({ id: shared.id, lastUsedAt: null });
    expect(listed?.instances.map((item) => item.instanceName)).toEqual(["Work"]);
  });
});
