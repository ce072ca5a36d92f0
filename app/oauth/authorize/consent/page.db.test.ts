import { createHash, randomBytes } from "node:crypto";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/server/db";
import { createTestAiClient, createTestInstance, createTestUser } from "@/server/testing/tier1-fixtures";
import { GET as authorize } from "../route";
import ConsentPage from "./page";

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("@/server/next-auth", () => ({ auth: async () => session.current }));

const REDIRECT = "http://127.0.0.1:33418/callback";
const APP = "http://localhost:3000";
let userId: string;
let instanceId: string;
let slug: string;

beforeAll(async () => {
  userId = (await createTestUser({ email: `consent-${Date.now()}@example.test` })).id;
  slug = `notion-${randomBytes(3).toString("hex")}`;
  const instance = await createTestInstance({ userId, serverSlugs: [slug] });
  await getDb().mcpInstance.update({ where: { id: instance.id }, data: { name: "Work tools" } });
  instanceId = instance.id;
});

beforeEach(() => {
  session.current = { user: { id: userId } };
});

async function consentPageFor(options: { scope?: string; clientUri?: string; redirectUri?: string } = {}) {
  const redirectUri = options.redirectUri ?? REDIRECT;
  const { client } = await createTestAiClient({ redirectUris: [redirectUri] });
  await getDb().aiClient.update({
    where: { id: client.id },
    data: { name: "Claude <Code>", clientUri: options.clientUri ?? null },
  });
  const params = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: redirectUri,
    code_challenge: createHash("sha256").update("v").digest("base64url"),
    code_challenge_method: "S256",
    resource: `${APP}/mcp/${instanceId}`,
    ...(options.scope ? { scope: options.scope } : {}),
  });
  const response = await authorize(new Request(`${APP}/oauth/authorize?${params}`), undefined);
  const request = new URL(response.headers.get("location") ?? "").searchParams.get("request") ?? "";
  const csrf = /tumiki-oauth-csrf=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
  return { request, csrf };
}

const render = async (request: string | undefined) =>
  renderToStaticMarkup(await ConsentPage({ searchParams: Promise.resolve({ request }) }));

describe("the consent page", () => {
  it("names the client, its origin, the redirect target, the instance and each scope", async () => {
    const { request, csrf } = await consentPageFor({ clientUri: "https://claude.example" });
    const html = await render(request);
    expect(html).toContain("<h1");
    expect(html).toContain("Authorize Claude &lt;Code&gt;");
    expect(html).toContain("Registered dynamically");
    expect(html).toContain("https://claude.example");
    expect(html).toContain("http://127.0.0.1:33418");
    expect(html).toContain("Work tools");
    expect(html).toContain("Every server in Work tools, including servers you add to it later");
    expect(html).toContain("mcp:access:*");
    expect(html).toContain("a program on this computer");
    expect(html).toContain('action="/oauth/authorize/decision"');
    expect(html).toContain(`name="csrf_token" value="${csrf}"`);
    // Rendered disabled: the client script arms it once the user has had the page in front of them.
    expect(html).toMatch(/<button[^>]*value="approve"[^>]*disabled=""[^>]*>Approve<\/button>/);
    expect(html).toMatch(/<button[^>]*value="deny"[^>]*>Deny<\/button>/);
  });

  it.each([
    ["a look-alike host", "com.evil.x://accounts.google.com/cb", "com.evil.x://accounts.google.com"],
    ["no host", "com.example.app:/oauth/cb", "com.example.app:"],
    [
      "a known desktop client",
      "cursor://anysphere.cursor-retrieval/oauth/cb",
      "cursor://anysphere.cursor-retrieval",
    ],
  ])("shows an app redirect with %s by its scheme, warning it goes to an app", async (_name, uri, shown) => {
    const { request } = await consentPageFor({ redirectUri: uri });
    const html = await render(request);
    expect(html).toContain(`data-testid="consent-redirect-target">${shown}<`);
    expect(html).toContain("an app on this computer");
    expect(html).not.toContain("a program on this computer");
  });

  it("shows an https redirect by its origin, without a local-program warning", async () => {
    const { request } = await consentPageFor({ redirectUri: "https://claude.example/oauth/cb?x=1" });
    const html = await render(request);
    expect(html).toContain('data-testid="consent-redirect-target">https://claude.example<');
    expect(html).not.toContain("on this computer");
  });

  it("describes a per-server scope by the server's name", async () => {
    const { request } = await consentPageFor({ scope: `mcp:access:${slug}` });
    const html = await render(request);
    expect(html).toContain(`${slug} (${slug})`);
    expect(html).not.toContain("Every server in");
  });

  it("shows the request only to the user it was made for, and refuses a missing or forged one", async () => {
    const { request } = await consentPageFor();
    session.current = { user: { id: (await createTestUser()).id } };
    expect(await render(request)).toContain("belongs to another account");
    session.current = { user: { id: userId } };
    expect(await render(undefined)).toContain("has expired");
    expect(await render(`${request.slice(0, -3)}AAA`)).toContain("has expired");
    session.current = null;
    expect(await render(request)).toContain("You are signed out");
  });
});
