import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import type { TBackendDiscovery } from "./backend-schemas";
import { chooseBackendRegistration } from "./choose-backend-registration";

const originalAppUrl = process.env.APP_URL;

afterEach(() => {
  process.env.APP_URL = originalAppUrl;
  resetEnvCache();
});

const discovery = (
  registrationOptions: TBackendDiscovery["registrationOptions"],
  issParameterSupported = true,
): TBackendDiscovery => ({
  serverUrl: "https://mcp.example.test/mcp",
  authType: "OAUTH",
  scopes: [],
  authorizationServer: {
    issuer: "https://as.example.test",
    authorizationEndpoint: "https://as.example.test/authorize",
    tokenEndpoint: "https://as.example.test/token",
    tokenEndpointAuthMethods: ["client_secret_basic"],
    clientIdMetadataDocumentSupported: registrationOptions.includes("cimd"),
    issParameterSupported,
    metadataSource: "oauth-authorization-server",
  },
  registrationOptions,
});

function useAppUrl(url: string) {
  process.env.APP_URL = url;
  resetEnvCache();
}

describe("chooseBackendRegistration", () => {
  it("prefers CIMD, then DCR, when Tumiki is served over https", () => {
    useAppUrl("https://tumiki.example.com");
    expect(chooseBackendRegistration(discovery(["pre_registered", "cimd", "dcr"]))).toBe("cimd");
    expect(chooseBackendRegistration(discovery(["pre_registered", "dcr"]))).toBe("dcr");
  });

  it("skips CIMD at an AS that does not advertise iss, whose responses only a redirect URI of its own tells apart", () => {
    useAppUrl("https://tumiki.example.com");
    expect(chooseBackendRegistration(discovery(["pre_registered", "cimd", "dcr"], false))).toBe("dcr");
    expect(chooseBackendRegistration(discovery(["pre_registered", "cimd"], false))).toBe(
      "credentials_required",
    );
  });

  it("skips CIMD on plain http, whose client_id URL no AS may accept", () => {
    useAppUrl("http://localhost:3000");
    expect(chooseBackendRegistration(discovery(["pre_registered", "cimd", "dcr"]))).toBe("dcr");
    expect(chooseBackendRegistration(discovery(["pre_registered", "cimd"]))).toBe("credentials_required");
  });

  it("asks for credentials when the AS offers neither", () => {
    useAppUrl("https://tumiki.example.com");
    expect(chooseBackendRegistration(discovery(["pre_registered"]))).toBe("credentials_required");
  });
});
