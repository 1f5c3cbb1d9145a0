import { z } from "zod";
import pkg from "@/package.json" with { type: "json" };
import { API_OPERATIONS, ERROR_RESPONSES, type ApiOperation, type ErrorStatus } from "./openapi-routes";

// The REST API's OpenAPI 3.1 document, generated from the zod schemas the routes parse bodies and
// queries with (z.toJSONSchema), and from the schemas their answers are typed by. The operations
// themselves are listed in ./openapi-routes.ts; a test checks that list against the route files.

type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, OpenApiOperation>> };

export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security?: unknown[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: { "application/json": { schema: JsonSchema; example?: unknown } } };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: { "application/json": { schema: JsonSchema } } } | { $ref: string }>;
}

/** JSON Schema (draft 2020-12, OpenAPI 3.1's dialect) of a zod schema, as a body is sent (input) or returned (output). */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  delete out.$schema;
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function parameters(op: ApiOperation): OpenApiParameter[] {
  const out: OpenApiParameter[] = [];
  for (const name of op.path.match(/\{(\w+)\}/g) ?? []) {
    const key = name.slice(1, -1);
    out.push({ name: key, in: "path", required: true, description: op.pathParams?.[key] ?? `The ${key}.`, schema: { type: "string" } });
  }
  if (op.query) {
    for (const [name, field] of Object.entries(op.query.shape as Record<string, z.ZodType>)) {
      const schema = jsonSchema(field, "input");
      const description = typeof schema.description === "string" ? schema.description : undefined;
      delete schema.description;
      out.push({ name, in: "query", required: !field.safeParse(undefined).success, ...(description ? { description } : {}), schema });
    }
  }
  for (const h of op.headers ?? []) out.push({ name: h.name, in: "header", required: false, description: h.description, schema: { type: "string" } });
  return out;
}

/** The document. Pure: built from the schemas each time (cheap), no database or request needed. */
export function openApiDocument(): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = {};
  const named = (name: string, schema: z.ZodType, io: "input" | "output") => {
    schemas[name] ??= jsonSchema(schema, io);
    return ref(name);
  };
  named("Error", errorBodySchema, "output");

  const paths: OpenApiDocument["paths"] = {};
  for (const op of API_OPERATIONS) {
    const responses: OpenApiOperation["responses"] = {};
    const ok = op.success;
    responses[String(ok.status)] = {
      description: ok.description,
      ...(ok.headers ? { headers: ok.headers } : {}),
      ...(ok.schema ? { content: { "application/json": { schema: named(ok.name ?? `${op.operationId}Response`, ok.schema, "output") } } } : {}),
    };
    // Any authenticated route may answer 400 (a query parameter holding NUL), 401, 429 and 503.
    const errors: ErrorStatus[] = [...(op.auth === false ? [] : ([400, 401, 429, 503] as const)), ...(op.errors ?? [])];
    for (const status of [...new Set(errors)].sort()) {
      const special = op.errorDescriptions?.[status];
      responses[String(status)] = special
        ? { description: special, content: { "application/json": { schema: ref("Error") } } }
        : { $ref: `#/components/responses/${ERROR_RESPONSES[status].name}` };
    }
    const params = parameters(op);
    const operation: OpenApiOperation = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(op.auth === false ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { "application/json": { schema: named(op.body.name, op.body.schema, "input"), ...(op.body.example ? { example: op.body.example } : {}) } } } }
        : {}),
      responses,
    };
    (paths[op.path] ??= {})[op.method] = operation;
  }

  const responses = Object.fromEntries(
    Object.values(ERROR_RESPONSES).map((r) => [
      r.name,
      {
        description: r.description,
        ...(r.name === "RateLimited" || r.name === "DatabaseUnavailable" ? { headers: { "Retry-After": { description: "Seconds to wait before the next request.", schema: { type: "integer" } } } } : {}),
        content: { "application/json": { schema: ref("Error") } },
      },
    ]),
  );

  return {
    openapi: "3.1.0",
    info: {
      title: "Leadhooks REST API",
      version: pkg.version,
      description:
        "Send leads and manage webhooks from code. Authenticate every request (except this document) with an API key from Settings → API keys: `Authorization: Bearer lhk_…`. Errors share one format: `{\"error\": {\"code\", \"message\", \"fields\"?}}`, where `fields` maps each invalid field's path to its messages. Requests are rate limited per API key (429 with Retry-After). " +
        "Values are kept exactly as sent, or refused: a JSON number that a 64-bit float cannot hold exactly (a whole number beyond ±9007199254740991, more significant digits than about 15, 1e400, -0) is a 422 naming the field (e.g. customFields.ext_id); send such ids and amounts as strings. Text holding NUL (\\u0000) or a lone UTF-16 surrogate, and times outside 0001-01-01 to 9999-12-31 (UTC), are refused the same way.",
    },
    servers: [{ url: "/", description: "This Leadhooks server" }],
    security: [{ bearer: [] }],
    tags: [
      { name: "Leads", description: "Leads and their events (lead.created, lead.updated, lead.status_changed, lead.note_added)." },
      { name: "Webhooks", description: "Webhook rules: where lead events go, how they authenticate and what counts as success." },
      { name: "Deliveries", description: "Sending deliveries again: one, or every one of a time window." },
      { name: "Event types", description: "The events a webhook can subscribe to." },
      { name: "Organization", description: "The API key's organization and its Enable Webhooks switch (off on a new install)." },
      { name: "Reference", description: "This document." },
    ],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API key: lhk_ followed by 40 characters." } },
      schemas,
      responses,
    },
  };
}

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().describe("A stable, machine-readable code, e.g. validation_failed, not_found, rate_limited."),
    message: z.string().describe("What went wrong, in a sentence."),
    fields: z.record(z.string(), z.array(z.string())).optional().describe("Invalid fields by path (e.g. request.mapping.fields.0.target), each with its messages."),
  }),
});
