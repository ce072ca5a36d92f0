import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import { getTumikiClientMetadata } from "./get-tumiki-client-metadata";

const originalAppUrl = process.env.APP_URL;

afterEach(() => {
  process.env.APP_URL = originalAppUrl;
  resetEnvCache();
});

describe("getTumikiClientMetadata", () => {
  it("names its own URL as client_id and Tumiki's callback as the only redirect URI", () => {
    process.env.APP_URL = "https://tumiki.example.com/";
    resetEnvCache();

    const document = getTumikiClientMetadata();

    expect(document).toEqual({
      client_id: "https://tumiki.example.com/oauth/client-metadata.json",
      client_name: "Tumiki",
      client_uri: "https://tumiki.example.com",
      redirect_uris: ["https://tumiki.example.com/oauth/callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
      application_type: "web",
    });
  });
});
