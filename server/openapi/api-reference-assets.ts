import { readFile } from "node:fs/promises";
import path from "node:path";
import swaggerUiPackage from "swagger-ui-dist/package.json";

// The files of the interactive API reference at /docs/api, served from Tumiki's own origin (no CDN):
// Swagger UI's bundle and stylesheet from the swagger-ui-dist package, and the few lines that start it
// on /api/openapi.json. Only these names are served. Their URLs carry the package version, so browsers
// may keep them for a year.
//
// Each path is spelled out in full from the project directory: the build's output file tracing (what
// `next build` and `vercel build` ship with the function) then includes exactly these two files. A path
// computed from the requested name would make it trace the whole project.

const PACKAGE_FILES: Record<string, { read: () => Promise<Buffer>; contentType: string }> = {
  "swagger-ui-bundle.js": {
    read: () => readFile(path.join(process.cwd(), "node_modules", "swagger-ui-dist", "swagger-ui-bundle.js")),
    contentType: "text/javascript; charset=utf-8",
  },
  "swagger-ui.css": {
    read: () => readFile(path.join(process.cwd(), "node_modules", "swagger-ui-dist", "swagger-ui.css")),
    contentType: "text/css; charset=utf-8",
  },
};

// No validator badge: Swagger UI would send the document to validator.swagger.io.
const INITIALIZER = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
`;

export const SWAGGER_UI_VERSION: string = swaggerUiPackage.version;

/** The asset's body and content type, or null for a name that is not served. */
export async function readApiReferenceAsset({
  file,
}: {
  file: string;
}): Promise<{ body: string | Buffer; contentType: string } | null> {
  if (file === "swagger-initializer.js") {
    return { body: INITIALIZER, contentType: "text/javascript; charset=utf-8" };
  }
  const entry = Object.hasOwn(PACKAGE_FILES, file) ? PACKAGE_FILES[file] : undefined;
  if (!entry) return null;
  return { body: await entry.read(), contentType: entry.contentType };
}
