import { describe, expect, it } from "vitest";
import { McpRequestError } from "./mcp-request-error";
import { parseJsonRpcMessage } from "./parse-json-rpc-message";

const refusal = (text: string) => {
  try {
    parseJsonRpcMessage(text);
  } catch (error) {
    if (error instanceof McpRequestError)
      return { status: error.status, code: error.rpcCode, message: error.userMessage };
    throw error;
  }
  throw new Error(`accepted: ${text}`);
};

describe("parseJsonRpcMessage", () => {
  it("tells requests, notifications and responses apart", () => {
    expect(parseJsonRpcMessage('{"jsonrpc":"2.0","id":1,"method":"ping"}').kind).toBe("request");
    expect(parseJsonRpcMessage('{"jsonrpc":"2.0","id":"a","method":"x","params":{}}').kind).toBe("request");
    expect(parseJsonRpcMessage('{"jsonrpc":"2.0","method":"notifications/initialized"}').kind).toBe(
      "notification",
    );
    expect(parseJsonRpcMessage('{"jsonrpc":"2.0","id":1,"result":{}}').kind).toBe("response");
    expect(parseJsonRpcMessage('{"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"m"}}').kind).toBe(
      "response",
    );
  });

  it("answers text that is not JSON with -32700 and HTTP 400, without echoing it", () => {
    const answer = refusal('{"secret": "s3cr3t"');
    expect(answer).toMatchObject({ status: 400, code: -32700 });
    expect(answer.message).not.toContain("s3cr3t");
  });

  it("answers JSON that is not one JSON-RPC 2.0 message with -32600 and HTTP 400", () => {
    for (const text of [
      "[]",
      '[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
      "42",
      "null",
      '"ping"',
      '{"id":1,"method":"ping"}',
      '{"jsonrpc":"1.0","id":1,"method":"ping"}',
      '{"jsonrpc":"2.0","id":{},"method":"ping"}',
      '{"jsonrpc":"2.0","id":null,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1.5,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1,"method":""}',
      '{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}',
      '{"jsonrpc":"2.0","method":"x","params":"p"}',
      '{"jsonrpc":"2.0","id":1}',
    ]) {
      expect(refusal(text), text).toMatchObject({ status: 400, code: -32600 });
    }
  });
});
