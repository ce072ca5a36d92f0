import { getInstanceResourceUrl } from "../../server/auth/resource-urls";
import { scopeForServer } from "../../server/auth/scopes";
import { issueAccessToken } from "../../server/auth/tokens/issue-access-token";
import { loadTestFixtures } from "./load-test-fixtures";

// The rows of one realistic user in the bench database: the demo backend connected as an OAuth server
// with a real backend token (authorized at the running backend), an instance bundling it, and an AI
// client that Tumiki access tokens are issued to, as /oauth/token would. The process env (APP_URL,
// DATABASE_URL, ENCRYPTION_KEY) must already be the app's.

export type TBenchSeed = {
  userId: string;
  serverId: string;
  serverSlug: string;
  instanceId: string;
  /** The instance's MCP endpoint, also the `aud` of its tokens. */
  instanceUrl: string;
  /** The demo backend's own access token for the user (tier 2), for the direct and floor targets. */
  backendAccessToken: string;
  /** A fresh Tumiki access token for the instance (tier 1), and when it expires (ms since epoch). */
  issueTumikiToken(): Promise<{ token: string; expiresAt: number }>;
};

export async function seedBench(options: {
  backend: { origin: string; issuer: string; mcpUrl: string };
}): Promise<TBenchSeed> {
  const { createBackendTokenFixture, createTestInstance, createTestAiClient } = await loadTestFixtures();
  const { user, server, grant } = await createBackendTokenFixture({ backend: options.backend });
  const instance = await createTestInstance({ userId: user.id, serverSlugs: [server.slug] });
  const { client } = await createTestAiClient();
  return {
    userId: user.id,
    serverId: server.id,
    serverSlug: server.slug,
    instanceId: instance.id,
    instanceUrl: getInstanceResourceUrl(instance.id),
    backendAccessToken: grant.tokens.access_token,
    async issueTumikiToken() {
      const issued = await issueAccessToken({
        client,
        userId: user.id,
        instanceId: instance.id,
        scopes: [scopeForServer(server.slug)],
      });
      return { token: issued.accessToken, expiresAt: Date.now() + issued.expiresIn * 1000 };
    },
  };
}
