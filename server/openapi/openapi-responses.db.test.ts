import { describe, expect, it } from "vitest";
import * as protectedResourceRoute from "@/app/.well-known/oauth-protected-resource/mcp/[instanceId]/route";
import * as registerRoute from "@/app/oauth/register/route";
import * as tokenRoute from "@/app/oauth/token/route";
import { ZProtectedResourceMetadata } from "../auth/metadata/get-protected-resource-metadata";
import {
  createTestInstance,
  createTestUser,
  formPostRequest,
  randomTestIp,
  stubTrustedProxyHop,
} from "../testing/tier1-fixtures";
import { buildOpenApiDocument } from "./build-openapi-document";
import { ZClientRegistrationResponse, ZOAuthErrorBody } from "./openapi-schemas";

// The documented answers against what the real routes send on a real database: the registration
// example registers and its answer has exactly the documented shape; an instance's metadata and a
// refused token request have theirs, with the documented status.

stubTrustedProxyHop();

const document = buildOpenApiDocument({ serverUrl: "http://localhost:3000" });
// biome-ignore lint/suspicious/noExplicitAny: a JSON document of any shape.
const paths = document.paths as Record<string, any>;
const documentedStatuses = (route: string, method: string) => Object.keys(paths[route][method].responses);

describe("the real routes answer what the document says", () => {
  it("POST /oauth/register with the documented example answers the documented 201 shape", async () => {
    const example = paths["/oauth/register"].post.requestBody.content["application/json"].example;
    const response = await registerRoute.POST(
      new Request("http://localhost:3000/oauth/register", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": randomTestIp() },
        body: JSON.stringify(example),
      }),
    );
    expect(response.status).toBe(201);
    expect(documentedStatuses("/oauth/register", "post")).toContain("201");
    const body = await response.json();
    expect(ZClientRegistrationResponse.strict().safeParse(body).error).toBeUndefined();
  });

  it("POST /oauth/register with a documented refusal answers its documented status and body", async () => {
    const response = await registerRoute.POST(
      new Request("http://localhost:3000/oauth/register", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": randomTestIp() },
        body: JSON.stringify({ redirect_uris: [] }),
      }),
    );
    expect(documentedStatuses("/oauth/register", "post")).toContain(String(response.status));
    const body = ZOAuthErrorBody.strict().parse(await response.json());
    expect(
      Object.keys(
        paths["/oauth/register"].post.responses[response.status].content["application/json"].examples,
      ),
    ).toContain(body.error);
  });

  it("POST /oauth/token with an unknown client answers a documented status and error", async () => {
    const response = await tokenRoute.POST(
      formPostRequest("http://localhost:3000/oauth/token", {
        grant_type: "client_credentials",
        client_id: "nobody",
      }),
    );
    expect(documentedStatuses("/oauth/token", "post")).toContain(String(response.status));
    expect(ZOAuthErrorBody.strict().parse(await response.json()).error).toBe("invalid_client");
  });

  it("an instance's protected-resource metadata has exactly the documented shape", async () => {
    const user = await createTestUser();
    const instance = await createTestInstance({ userId: user.id, serverSlugs: ["docs-openapi"] });
    const response = await protectedResourceRoute.GET(
      new Request(`http://localhost:3000/.well-known/oauth-protected-resource/mcp/${instance.id}`),
      { params: Promise.resolve({ instanceId: instance.id }) },
    );
    expect(response.status).toBe(200);
    expect(ZProtectedResourceMetadata.strict().safeParse(await response.json()).error).toBeUndefined();
  });
});
