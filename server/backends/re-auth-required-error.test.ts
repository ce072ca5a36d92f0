import { describe, expect, it } from "vitest";
import { getAppUrl } from "../auth/resource-urls";
import { ReAuthRequiredError } from "./re-auth-required-error";

describe("ReAuthRequiredError", () => {
  const reconnectUrl = getAppUrl("/servers?reconnect=srv_1");

  it("tells a user who never connected the server to connect it", () => {
    const error = new ReAuthRequiredError({
      mcpServerId: "srv_1",
      serverName: "Notes",
      reason: "not_connected",
    });
    expect(error.reconnectUrl).toBe(reconnectUrl);
    expect(error.userMessage).toBe(`Notes is not connected yet. Connect it at ${reconnectUrl}.`);
  });

  it("tells a user whose grant is gone to reconnect", () => {
    const error = new ReAuthRequiredError({
      mcpServerId: "srv_1",
      serverName: "Notes",
      reason: "invalid_grant",
    });
    expect(error.userMessage).toBe(
      `Notes needs to be reconnected: its authorization has expired or was revoked. Reconnect it at ${reconnectUrl}`,
    );
  });
});
