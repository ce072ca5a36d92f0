import { apiReferencePageResponse } from "@/server/openapi/api-reference-page-response";

// The interactive API reference (Swagger UI, self-hosted) of /api/openapi.json.

export const dynamic = "force-dynamic";

export const GET = () => apiReferencePageResponse();
