import { isRecord } from "../../protocol/is-record";
import { exposeUri } from "../aggregated-names";
import type { TInstanceBackend } from "../get-instance-backends";

// Resource URIs inside a backend's result, as the client of an aggregate knows them
// (`tumiki.<slug>.<uri>`, aggregated-names.ts): what resources/read returns, and the resource links and
// embedded resources of tool results and prompt messages, so a client can read back any URI it was
// shown. With one server nothing changes.

type TBackends = readonly TInstanceBackend[];

function mapContentBlock(backends: TBackends, backend: TInstanceBackend, block: unknown): unknown {
  if (!isRecord(block)) return block;
  if (block.type === "resource_link" && typeof block.uri === "string") {
    return { ...block, uri: exposeUri(backends, backend, block.uri) };
  }
  if (block.type === "resource" && isRecord(block.resource) && typeof block.resource.uri === "string") {
    return {
      ...block,
      resource: { ...block.resource, uri: exposeUri(backends, backend, block.resource.uri) },
    };
  }
  return block;
}

export function mapResultUris({
  backends,
  backend,
  method,
  result,
}: {
  backends: TBackends;
  backend: TInstanceBackend;
  method: string;
  result: Record<string, unknown>;
}): Record<string, unknown> {
  if (backends.length < 2) return result;
  if (method === "resources/read" && Array.isArray(result.contents)) {
    return {
      ...result,
      contents: result.contents.map((content) =>
        isRecord(content) && typeof content.uri === "string"
          ? { ...content, uri: exposeUri(backends, backend, content.uri) }
          : content,
      ),
    };
  }
  if (method === "tools/call" && Array.isArray(result.content)) {
    return { ...result, content: result.content.map((block) => mapContentBlock(backends, backend, block)) };
  }
  if (method === "prompts/get" && Array.isArray(result.messages)) {
    return {
      ...result,
      messages: result.messages.map((message) =>
        isRecord(message)
          ? { ...message, content: mapContentBlock(backends, backend, message.content) }
          : message,
      ),
    };
  }
  return result;
}
