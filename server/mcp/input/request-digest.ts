import { createHash } from "node:crypto";
import { canonicalJson } from "../../protocol/canonical-json";

// What identifies "the same request" across the rounds of a multi round-trip request (mrtr.mdx: bind
// requestState to the originating request, e.g. the method and a digest of its salient parameters): the
// method, the name or URI it is addressed to, and its arguments. Ids, `_meta`, `inputResponses` and the
// state itself differ between rounds and are left out.

export function digestRequest({
  method,
  params,
}: {
  method: string;
  params: Record<string, unknown>;
}): string {
  const salient = {
    method,
    name: params.name,
    uri: params.uri,
    arguments: params.arguments,
  };
  return createHash("sha256").update(canonicalJson(salient)).digest("base64url");
}
