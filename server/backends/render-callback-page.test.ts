import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "../env";
import { ZBackendAuthorizationMessage } from "./backend-authorization-message";
import { renderCallbackPage } from "./render-callback-page";

const HOSTILE = `</script><script>alert("x")</script> & <img src=x onerror=alert(1)> \u2028 'quote'`;

function scriptOf(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  expect(scripts).toHaveLength(1);
  return scripts[0]?.[1] ?? "";
}

function policyOf(html: string): string {
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? "";
  return meta.replace(/&#39;/g, "'");
}

/** Runs the page's script against a stand-in window, as a browser would. */
function runScript(html: string, opener: { postMessage: (data: unknown, origin: string) => void } | null) {
  const window = { opener, close: vi.fn() };
  new Function("window", scriptOf(html))(window);
  return window;
}

afterEach(() => {
  process.env.APP_URL = "http://localhost:3000";
  resetEnvCache();
});

describe("renderCallbackPage", () => {
  it("posts the result to the app's own origin only, then closes the popup", () => {
    const postMessage = vi.fn();
    const html = renderCallbackPage({ ok: true, serverId: "srv_1", message: "Connected to Demo Notes." });
    const window = runScript(html, { postMessage });
    expect(postMessage).toHaveBeenCalledTimes(1);
    expect(postMessage).toHaveBeenCalledWith(
      {
        source: "tumiki",
        type: "backend-authorization",
        ok: true,
        serverId: "srv_1",
        message: "Connected to Demo Notes.",
      },
      "http://localhost:3000",
    );
    expect(window.close).toHaveBeenCalledTimes(1);
  });

  it("takes the target origin from APP_URL, never a wildcard", () => {
    process.env.APP_URL = "https://tumiki.example.com/some/base/";
    resetEnvCache();
    const postMessage = vi.fn();
    runScript(renderCallbackPage({ ok: false, message: "No." }), { postMessage });
    expect(postMessage.mock.calls[0]?.[1]).toBe("https://tumiki.example.com");
    expect(postMessage.mock.calls[0]?.[0]).toEqual({
      source: "tumiki",
      type: "backend-authorization",
      ok: false,
      message: "No.",
    });
  });

  it("stays open and only shows the text when there is no opener", () => {
    const html = renderCallbackPage({
      ok: true,
      message: "Connected to Demo Notes. You can close this window.",
    });
    const window = runScript(html, null);
    expect(window.close).not.toHaveBeenCalled();
    expect(html).toContain("<h1>Connected</h1>");
    expect(html).toContain('<p id="result">Connected to Demo Notes. You can close this window.</p>');
  });

  it("escapes hostile text in the page and carries it unchanged through the script", () => {
    const html = renderCallbackPage({ ok: false, serverId: `"><b>`, message: HOSTILE });
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&#60;img src=x onerror=alert(1)&#62;");
    expect(html).toContain("<h1>Connection failed</h1>");
    const script = scriptOf(html);
    expect(script).not.toMatch(/[<>&\u2028]/);
    const postMessage = vi.fn();
    runScript(html, { postMessage });
    expect(postMessage.mock.calls[0]?.[0]).toMatchObject({ ok: false, serverId: `"><b>`, message: HOSTILE });
  });

  it("allows exactly its own script by hash, in the document's policy", () => {
    const html = renderCallbackPage({ ok: true, message: "Connected." });
    const hash = createHash("sha256").update(scriptOf(html), "utf8").digest("base64");
    const policy = policyOf(html);
    expect(policy).toContain(`script-src 'sha256-${hash}'`);
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain("unsafe-inline'; script");
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
    // A different message is a different script, so the hash of one page never admits another.
    expect(policyOf(renderCallbackPage({ ok: true, message: "Connected!" }))).not.toBe(policy);
  });

  it("posts a message the opener's schema accepts", () => {
    const postMessage = vi.fn();
    runScript(renderCallbackPage({ ok: true, serverId: "srv_1", message: "Connected." }), { postMessage });
    expect(ZBackendAuthorizationMessage.safeParse(postMessage.mock.calls[0]?.[0]).success).toBe(true);
  });
});
