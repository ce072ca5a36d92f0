import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Page } from "@playwright/test";
import { postMcpInitialize } from "../../server/testing/post-mcp-initialize";

// What an AI client needs to go through Tumiki's authorization server in a spec: the MCP SDK's
// OAuthClientProvider kept in memory (as Claude Code or Cursor keep it on disk), a fetch that reports
// the spec's client address to the rate limits, a loopback listener for the authorization response
// (as a CLI client runs one), and the browser half of the flow: the signed-in user approves the
// consent page.

export const CIMD_ORIGIN = `https://localhost:${process.env.E2E_CIMD_PORT ?? 3320}`;

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** fetch as seen from one client address, like every request through the trusted proxy. */
export function fetchFrom(clientIp: string): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("x-forwarded-for", clientIp);
    return fetch(input, { ...init, headers });
  };
}

export type TLoopbackReceiver = {
  /** http://127.0.0.1:<free port>/callback (RFC 8252 §7.3: the port is chosen at run time). */
  redirectUri: string;
  /** The first request to the callback path: the authorization response. */
  nextCallback: () => Promise<URL>;
  close: () => Promise<void>;
};

/** Listens on a free loopback port for the authorization response, as a CLI client does. */
export async function startLoopbackReceiver(): Promise<TLoopbackReceiver> {
  const waiting: ((url: URL) => void)[] = [];
  const received: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/callback") {
      res.writeHead(404).end();
      return;
    }
    const full = new URL(`${redirectUri}${url.search}`);
    const resolve = waiting.shift();
    if (resolve) resolve(full);
    else received.push(full);
    res.writeHead(200, { "content-type": "text/html" }).end("<p>Signed in. You can close this window.</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    redirectUri,
    nextCallback: () => {
      const first = received.shift();
      return first ? Promise.resolve(first) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Opens the authorization URL in the signed-in browser, lets the spec look at the consent page,
 * approves it and returns the authorization response the loopback receiver got.
 */
export async function approveInBrowser(
  page: Page,
  receiver: TLoopbackReceiver,
  authorizationUrl: URL | string,
  checkConsentPage?: (page: Page) => Promise<void>,
): Promise<URL> {
  const callback = receiver.nextCallback();
  const consentResponse = page.waitForResponse((response) =>
    new URL(response.url()).pathname.startsWith("/oauth/authorize/consent"),
  );
  await page.goto(authorizationUrl.toString());
  await expect(page.getByRole("heading", { name: /^Authorize / })).toBeVisible();
  // The consent page may never be framed (clickjacking) nor cached, as served by the running app.
  const headers = (await consentResponse).headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["cache-control"]).toContain("no-store");
  await checkConsentPage?.(page);
  await page.getByRole("button", { name: "Approve" }).click();
  return callback;
}

/** A raw JSON-RPC initialize with a bearer token (none when empty), to see exactly what the endpoint answers. */
export async function postInitialize(mcpUrl: string, accessToken: string, fetchFn: typeof fetch = fetch) {
  return postMcpInitialize({ url: mcpUrl, accessToken, fetchFn });
}
