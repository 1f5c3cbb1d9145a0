import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-static";

/** GET /api/v1/openapi.json: the REST API's OpenAPI 3.1 document. Public: it holds no data. */
export function GET(): Response {
  return Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } });
}
