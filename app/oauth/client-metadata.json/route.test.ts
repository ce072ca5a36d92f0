import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/server/env";
import { GET } from "./route";

const originalAppUrl = process.env.APP_URL;

afterEach(() => {
  process.env.APP_URL = originalAppUrl;
  resetEnvCache();
});

describe("GET /oauth/client-metadata.json", () => {
  it("serves Tumiki's client metadata document, cacheable for an hour", async () => {
    process.env.APP_URL = "https://tumiki.example.com";
    resetEnvCache();

    const response = await GET(new Request("https://tumiki.example.com/oauth/client-metadata.json"), {});

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("public, max-age=3600");
    const document = await response.json();
    expect(document.client_id).toBe("https://tumiki.example.com/oauth/client-metadata.json");
    expect(document.redirect_uris).toEqual(["https://tumiki.example.com/oauth/callback"]);
  });
});
