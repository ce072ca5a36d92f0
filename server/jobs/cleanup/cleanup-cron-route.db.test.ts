import { afterEach, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/cron/cleanup/route";
import { getDb } from "../../db";
import { resetEnvCache } from "../../env";

// The Vercel Cron route through its real handler: hidden without CRON_SECRET, refused without the
// right bearer secret (nothing deleted), the job's counts with it.

const SECRET = "cron-secret-for-the-test-0123456789";
const db = getDb();

const call = (headers: Record<string, string> = {}) =>
  GET(new Request("http://localhost:3000/api/cron/cleanup", { headers }), undefined);

function setCronSecret(value: string | undefined) {
  vi.stubEnv("CRON_SECRET", value ?? "");
  resetEnvCache();
}

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

const expiredAuditRows = () =>
  db.auditLog.count({ where: { createdAt: { lt: new Date(Date.now() - 90 * 24 * 3600_000) } } });

describe("GET /api/cron/cleanup", () => {
  it("answers 404 when CRON_SECRET is unset, whatever the request carries", async () => {
    setCronSecret(undefined);
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer " },
      { authorization: `Bearer ${SECRET}` },
    ];
    for (const headers of attempts) {
      const response = await call(headers);
      expect(response.status).toBe(404);
    }
  });

  it("answers 401 to a missing, wrong or differently-schemed secret, and deletes nothing", async () => {
    setCronSecret(SECRET);
    await db.auditLog.create({
      data: { eventType: "mcp.tool_called", outcome: "SUCCESS", createdAt: new Date("2020-01-01") },
    });
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong-secret-of-other-length" },
      { authorization: `Bearer ${SECRET.slice(0, -1)}x` },
      { authorization: `Bearer ${SECRET}extra` },
      { authorization: `Basic ${SECRET}` },
      { authorization: SECRET },
      { "x-cron-secret": SECRET },
    ];
    for (const headers of attempts) {
      const response = await call(headers);
      expect(response.status).toBe(401);
      const body = await response.json();
      expect(body.error.code).toBe("UNAUTHORIZED");
      expect(JSON.stringify(body)).not.toContain(SECRET);
    }
    expect(await expiredAuditRows()).toBe(1);
  });

  it("runs the job with the right secret and answers its counts", async () => {
    setCronSecret(SECRET);
    const response = await call({ authorization: `Bearer ${SECRET}` });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json();
    expect(body).toMatchObject({ complete: true, total: 1, deleted: { audit_log: 1, refresh_token: 0 } });
    expect(await expiredAuditRows()).toBe(0);
  });
});
