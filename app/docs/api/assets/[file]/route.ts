import { readApiReferenceAsset } from "@/server/openapi/api-reference-assets";

// Swagger UI's files for /docs/api, from our own origin. Only the allow-listed names exist; the version
// in their URL lets browsers keep them for a year.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  const asset = await readApiReferenceAsset({ file: (await params).file });
  if (!asset) {
    return new Response("Not Found", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  return new Response(new Uint8Array(Buffer.from(asset.body)), {
    headers: {
      "Content-Type": asset.contentType,
      "Cache-Control": "public, max-age=31536000, immutable",
    },
  });
}
