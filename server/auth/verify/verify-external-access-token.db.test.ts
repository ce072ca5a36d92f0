import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "../../env";
import { createTestInstance, createTestUser } from "../../testing/tier1-fixtures";
import { InvalidTokenError, TemporarilyUnavailableError } from "../oauth-errors";
import { authenticateMcpRequest } from "./authenticate-mcp-request";

// The external issuer (the plan's Auth0 mode) against a real JWKS served over HTTP on 127.0.0.1, with
// tokens signed by a key pair made here: the route picks this verifier by `iss`, maps the IdP's
// subject to the user who signs in with it, and its scope/permissions claims onto Tumiki's scopes.

const ISSUER = "https://idp.example.test/";
const AUDIENCE = "https://tumiki.example.test/api";

let server: Server;
let privateKey: CryptoKey;
let strangerKey: CryptoKey;
let user: { id: string };
let instance: { id: string };
let otherInstance: { id: string };
const subject = `auth0|${randomUUID()}`;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  privateKey = pair.privateKey;
  strangerKey = (await generateKeyPair("RS256")).privateKey;
  const jwks = {
    keys: [{ ...(await exportJWK(pair.publicKey)), kid: "idp-key-1", alg: "RS256", use: "sig" }],
  };
  server = createServer((request, response) => {
    if (request.url === "/.well-known/jwks.json") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(jwks));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  process.env.EXTERNAL_AUTH_ISSUER = ISSUER;
  process.env.EXTERNAL_AUTH_JWKS_URL = `http://127.0.0.1:${port}/.well-known/jwks.json`;
  process.env.EXTERNAL_AUTH_AUDIENCE = AUDIENCE;
  resetEnvCache();

  user = await createTestUser({ oidcSubject: subject });
  instance = await createTestInstance({ userId: user.id, serverSlugs: ["notion", "linear"] });
  otherInstance = await createTestInstance({ userId: (await createTestUser()).id });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const sign = (claims: Record<string, unknown> = {}, key = privateKey, kid = "idp-key-1") => {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: subject,
    scope: "openid mcp:access:*",
    iat: now,
    exp: now + 300,
    ...claims,
  };
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid }).sign(key);
};

const authenticate = (token: string, instanceId = instance.id) =>
  authenticateMcpRequest({
    request: new Request(`http://localhost:3000/mcp/${instanceId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    }),
    instanceId,
  });

const reasonOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (error: unknown) => (error instanceof InvalidTokenError ? error.reason : String(error)),
  );

describe("external issuer tokens", () => {
  it("maps a valid token to the user who signs in with that IdP, keeping well-formed scopes", async () => {
    const auth = await authenticate(await sign({ azp: "m2m-app", jti: "j-1" }));
    expect(auth).toEqual({
      kind: "external",
      userId: user.id,
      instanceId: instance.id,
      clientId: "m2m-app",
      scopes: ["mcp:access:*"],
      jti: "j-1",
    });
  });

  it("reads Auth0 RBAC permissions and drops entries that are not Tumiki scopes", async () => {
    const auth = await authenticate(
      await sign({
        scope: undefined,
        permissions: ["mcp:access:notion", "read:things", "mcp:access:Not_A_Slug", 7, "mcp:access:notion"],
      }),
    );
    expect(auth.scopes).toEqual(["mcp:access:notion"]);
  });

  it("keeps tool scopes from scope and permissions, and drops malformed ones", async () => {
    const auth = await authenticate(
      await sign({
        scope: "openid mcp:access:notion:search mcp:access:notion:bad/name",
        permissions: ["mcp:access:linear:create_issue", `mcp:access:linear:${"a".repeat(129)}`],
      }),
    );
    expect(auth.scopes).toEqual(["mcp:access:notion:search", "mcp:access:linear:create_issue"]);
  });

  it("refuses a token for another audience", async () => {
    expect(await reasonOf(authenticate(await sign({ aud: "https://other.example.test/api" })))).toBe(
      "wrong_audience",
    );
  });

  it("refuses a token whose subject is no Tumiki user", async () => {
    expect(await reasonOf(authenticate(await sign({ sub: "auth0|nobody" })))).toBe("unknown_user");
  });

  it("refuses a token for an instance its user does not own", async () => {
    expect(await reasonOf(authenticate(await sign(), otherInstance.id))).toBe("instance_not_owned");
  });

  it("refuses a token signed by a key the JWKS does not hold", async () => {
    expect(await reasonOf(authenticate(await sign({}, strangerKey)))).toBe("invalid_signature");
    expect(await reasonOf(authenticate(await sign({}, strangerKey, "idp-key-2")))).toBe("unknown_kid");
  });

  it("refuses an HS256 token even when the issuer matches", async () => {
    const forged = await new SignJWT({ sub: subject, scope: "mcp:access:*" })
      .setProtectedHeader({ alg: "HS256", kid: "idp-key-1" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("a-shared-secret-an-attacker-picked"));
    expect(await reasonOf(authenticate(forged))).toBe("wrong_alg");
  });

  it("refuses an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await reasonOf(authenticate(await sign({ iat: now - 600, exp: now - 120 })))).toBe("expired");
  });

  it("answers temporarily_unavailable, not invalid_token, when the JWKS cannot be fetched", async () => {
    const url = process.env.EXTERNAL_AUTH_JWKS_URL;
    process.env.EXTERNAL_AUTH_JWKS_URL = "http://127.0.0.1:1/.well-known/jwks.json";
    resetEnvCache();
    try {
      const error = await authenticate(await sign()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TemporarilyUnavailableError);
      expect((error as TemporarilyUnavailableError).reason).toBe("jwks_unavailable");
    } finally {
      process.env.EXTERNAL_AUTH_JWKS_URL = url;
      resetEnvCache();
    }
  });
});
