import Module from "node:module";

// The bench seeds its database with the test fixtures (server/testing), so its rows are exactly what
// the tests use. tier1-fixtures.ts imports vitest for stubTrustedProxyHop, and vitest's CommonJS entry
// throws whenever it is loaded outside its runner (scripts run as CommonJS under tsx). The bench never
// calls that helper, so vitest is replaced, for this process only, by a module whose every export
// throws if used. Once stubTrustedProxyHop lives in a file of its own, this file can go.

const installVitestStandIn = () => {
  const entry = require.resolve("vitest");
  if (require.cache[entry]) return;
  const standIn = new Module(entry);
  standIn.filename = entry;
  standIn.loaded = true;
  standIn.exports = new Proxy(
    {},
    {
      get: (_target, name) => () => {
        throw new Error(`vitest's ${String(name)} is not available outside the test runner`);
      },
    },
  );
  require.cache[entry] = standIn;
};

export async function loadTestFixtures() {
  installVitestStandIn();
  const [tier1, backendTokens] = await Promise.all([
    import("../../server/testing/tier1-fixtures"),
    import("../../server/testing/backend-token-fixtures"),
  ]);
  return {
    createTestInstance: tier1.createTestInstance,
    createTestAiClient: tier1.createTestAiClient,
    createBackendTokenFixture: backendTokens.createBackendTokenFixture,
  };
}
