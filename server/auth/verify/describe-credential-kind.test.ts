import { UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { getIssuer } from "../resource-urls";
import { describeCredentialKind } from "./describe-credential-kind";

// The kind label of a refused credential: what it claims to be, never verified, never the token itself.

const kindOf = (authorization?: string) =>
  describeCredentialKind({ headers: new Headers(authorization === undefined ? {} : { authorization }) });

describe("describeCredentialKind", () => {
  it("tells no credential, an API key and Tumiki's own JWT apart", () => {
    expect(kindOf()).toBe("none");
    expect(kindOf("   ")).toBe("none");
    expect(kindOf("Bearer tumiki_abc")).toBe("api_key");
    expect(kindOf(`Bearer ${new UnsecuredJWT({}).setIssuer(getIssuer()).encode()}`)).toBe("oauth");
  });

  it("calls anything else unknown: other issuers, garbage, other schemes", () => {
    expect(kindOf(`Bearer ${new UnsecuredJWT({}).setIssuer("https://elsewhere.example").encode()}`)).toBe(
      "unknown",
    );
    expect(kindOf("Bearer not-a-jwt")).toBe("unknown");
    expect(kindOf("Basic dXNlcjpwYXNz")).toBe("unknown");
    expect(kindOf("Bearer")).toBe("unknown");
  });
});
