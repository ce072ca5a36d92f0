import { getAppUrl } from "../auth/resource-urls";
import { buildOpenApiDocument, type TOpenApiDocument } from "./build-openapi-document";

// The document of this deployment, built once per process: it depends only on the code and APP_URL.

let cached: { url: string; document: TOpenApiDocument } | undefined;

export function getOpenApiDocument(): TOpenApiDocument {
  const url = getAppUrl("");
  if (cached?.url !== url) cached = { url, document: buildOpenApiDocument({ serverUrl: url }) };
  return cached.document;
}
