import { describe, expect, it } from "vitest";
import { getDb } from "../db";
import { listAuditEventsClients } from "./list-audit-events-clients";

const db = getDb();
let counter = 0;

async function createUser() {
  counter += 1;
  return db.user.create({ data: { email: `audit-clients-${counter}-${Date.now()}@example.test` } });
}

async function createClient(data: { name?: string; kind: "DYNAMIC" | "M2M"; disabled?: boolean }) {
  counter += 1;
  return db.aiClient.create({
    data: {
      clientId: `client-${counter}-${Date.now()}`,
      kind: data.kind,
      name: data.name,
      disabledAt: data.disabled ? new Date() : null,
    },
  });
}

describe("listAuditEventsClients", () => {
  it("lists every client named in the user's events, revoked and deleted ones too, by label", async () => {
    const user = await createUser();
    const other = await createUser();
    const instance = await db.mcpInstance.create({ data: { userId: user.id, name: "Work" } });
    const revoked = await createClient({ name: "Zed agent", kind: "DYNAMIC" });
    const deleted = await createClient({ name: "Nightly job", kind: "M2M", disabled: true });
    const unnamed = await createClient({ kind: "DYNAMIC" });
    const foreign = await createClient({ name: "Someone else's", kind: "DYNAMIC" });
    await db.auditLog.createMany({
      data: [
        {
          eventType: "oauth.consent_revoked",
          outcome: "SUCCESS",
          actorUserId: user.id,
          clientId: revoked.id,
        },
        { eventType: "oauth.token_issued", outcome: "SUCCESS", actorUserId: user.id, clientId: revoked.id },
        {
          eventType: "oauth.token_issued",
          outcome: "FAILURE",
          instanceId: instance.id,
          clientId: deleted.id,
        },
        { eventType: "oauth.token_issued", outcome: "SUCCESS", actorUserId: user.id, clientId: unnamed.id },
        { eventType: "mcp.auth_failed", outcome: "DENIED", instanceId: instance.id, clientId: "unknown-id" },
        { eventType: "auth.sign_in", outcome: "SUCCESS", actorUserId: user.id },
        { eventType: "oauth.token_issued", outcome: "SUCCESS", actorUserId: other.id, clientId: foreign.id },
      ],
    });

    const clients = await listAuditEventsClients({ userId: user.id });

    expect(clients).toEqual([
      { value: unnamed.id, label: unnamed.clientId },
      { value: deleted.id, label: "Nightly job (machine-to-machine)" },
      { value: "unknown-id", label: "unknown-id" },
      { value: revoked.id, label: "Zed agent" },
    ]);
    expect(await listAuditEventsClients({ userId: (await createUser()).id })).toEqual([]);
  });
});
