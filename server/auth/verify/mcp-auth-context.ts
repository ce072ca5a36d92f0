// Who a request to /mcp/{instanceId} acts for, as established by withMcpAuth. Every kind carries the
// user whose instance it is and the scopes granted; the rest says where the credential came from, for
// the audit trail.

export type TMcpAuthContext =
  | {
      kind: "oauth";
      userId: string;
      instanceId: string;
      /** The OAuth client_id (not the AiClient row id). */
      clientId: string;
      /** AiClient.id, from the token's issuance record: what audit rows name as their client. */
      clientRowId: string;
      scopes: string[];
      jti: string;
    }
  | {
      kind: "external";
      userId: string;
      instanceId: string;
      /** The external token's `azp` or `client_id`, when it names one. */
      clientId: string | null;
      scopes: string[];
      jti: string | null;
    }
  | {
      kind: "api_key";
      userId: string;
      instanceId: string;
      apiKeyId: string;
      scopes: string[];
    };
