import { type TDemoStats, ZDemoStats } from "../../scripts/demo-backend/demo-stats";
import { demoBackendOrigin } from "./demo-backend";

// The demo backend's development endpoints (scripts/demo-backend/handle-demo-control.ts), as the specs
// use them: what reached it (GET /__demo/stats), and what a provider does to an account's grant between
// two calls of an AI client: its access tokens expire, or the user revokes the app at the provider.
// Plain fetch: the demo backend runs in Playwright's process tree, not behind the app under test.

/** What reached the demo backend so far (shared by every spec that runs at the same time). */
export async function readDemoStats(): Promise<TDemoStats> {
  const response = await fetch(`${demoBackendOrigin}/__demo/stats`);
  if (!response.ok) throw new Error(`GET /__demo/stats failed: ${response.status}`);
  return ZDemoStats.parse(await response.json());
}

async function postDemoControl(path: string, account: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${demoBackendOrigin}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ account }),
  });
  if (!response.ok) throw new Error(`POST ${path} failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Ends every grant of the account: its access and refresh tokens stop working. Returns how many. */
export async function revokeDemoGrants(account: string): Promise<number> {
  const body = await postDemoControl("/__demo/revoke-grants", account);
  return Number(body.revokedGrants);
}

/** Deletes the account's access tokens only, as if they had expired: refreshing still works. Returns how many. */
export async function expireDemoAccessTokens(account: string): Promise<number> {
  const body = await postDemoControl("/__demo/expire-access-tokens", account);
  return Number(body.expiredAccessTokens);
}
