import { describe, expect, it } from "vitest";
import * as openApiRoute from "@/app/api/openapi.json/route";
import * as assetRoute from "@/app/docs/api/assets/[file]/route";
import * as pageRoute from "@/app/docs/api/route";

// The three routes of the API reference, called as Next.js calls them: the document, the HTML page and
// its self-hosted files.

const getAsset = (file: string) =>
  assetRoute.GET(new Request(`http://localhost:3000/docs/api/assets/${encodeURIComponent(file)}`), {
    params: Promise.resolve({ file }),
  });

describe("GET /api/openapi.json", () => {
  it("serves the OpenAPI 3.1 document with APP_URL as its server", async () => {
    const response = await openApiRoute.GET(new Request("http://localhost:3000/api/openapi.json"), undefined);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const document = await response.json();
    expect(document.openapi).toBe("3.1.0");
    expect(document.servers[0].url).toBe(process.env.APP_URL);
    expect(document.paths["/oauth/token"].post.operationId).toBe("token");
  });
});

describe("GET /docs/api", () => {
  it("loads only same-origin files and no inline script, under a CSP that forbids anything else", async () => {
    const response = pageRoute.GET();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // The page's own references: the stylesheet, the icon, the scripts, the document.
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? "");
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const source of sources) expect(source).toMatch(/^\/[^/]/);
    // Every script has a src: nothing inline.
    expect([...html.matchAll(/<script([^>]*)>/g)].every((match) => match[1]?.includes("src="))).toBe(true);
    expect(html).toContain("/docs/api/assets/swagger-ui-bundle.js?v=");
  });
});

describe("GET /docs/api/assets/{file}", () => {
  it("serves Swagger UI's bundle and stylesheet from the package, cacheable for a year", async () => {
    const bundle = await getAsset("swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(bundle.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await bundle.text()).toContain("SwaggerUIBundle");
    const css = await getAsset("swagger-ui.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await css.text()).length).toBeGreaterThan(10_000);
  });

  it("starts Swagger UI on /api/openapi.json without the external validator", async () => {
    const initializer = await (await getAsset("swagger-initializer.js")).text();
    expect(initializer).toContain('url: "/api/openapi.json"');
    expect(initializer).toContain("validatorUrl: null");
  });

  it("serves nothing outside its allow-list", async () => {
    for (const file of [
      "package.json",
      "../package.json",
      "index.html",
      "swagger-ui.js.map",
      "__proto__",
      "toString",
    ]) {
      expect((await getAsset(file)).status, file).toBe(404);
    }
  });
});
