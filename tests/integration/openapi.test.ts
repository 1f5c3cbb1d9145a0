import { readdirSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { GET as getLead } from "@/app/api/v1/leads/[id]/route";
import { POST as postNote } from "@/app/api/v1/leads/[id]/notes/route";
import { GET as openApiRoute } from "@/app/api/v1/openapi.json/route";
import { GET as eventTypesRoute } from "@/app/api/v1/event-types/route";
import { GET as getOrganization, PATCH as patchOrganization } from "@/app/api/v1/organization/route";
import { GET as listWebhooks, POST as createWebhook } from "@/app/api/v1/webhooks/route";
import { GET as webhookLogs } from "@/app/api/v1/webhooks/[id]/logs/route";
import { leadResourceSchema, leadWebhookOutcomeSchema, noteCreatedSchema } from "@/lib/api/lead-schemas";
import type { OpenApiDocument } from "@/lib/api/openapi";
import { organizationResourceSchema } from "@/lib/api/organization";
import { deliveryLogSchema, logsPageSchema } from "@/lib/api/webhooks/logs";
import { eventTypesSchema } from "@/lib/api/webhooks/operations";
import { webhookCreatedSchema, webhookListSchema, webhookSchema } from "@/lib/api/webhooks/schema";
import { createApiKey } from "@/lib/api/keys";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { resetEnvCache } from "@/lib/core/env";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";

// The OpenAPI document: valid OpenAPI 3.1, one operation for every exported method of every
// route file under app/api/v1 (and nothing else), and the answers the routes really give have the
// shapes the document declares.

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
resetEnvCache();

const prisma = useTestDatabase();
const ROOT = path.resolve(import.meta.dirname, "../..");
const API_DIR = path.join(ROOT, "app/api/v1");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

let doc: OpenApiDocument;
let key: string;

beforeAll(async () => {
  doc = (await openApiRoute().json()) as OpenApiDocument;
  const { org } = await createWebhookOrg(prisma(), { name: "Docs Co" });
  key = (await createApiKey(prisma(), org.id, "docs")).key;
});

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(full);
    return e.name === "route.ts" ? [full] : [];
  });
}

/** app/api/v1/webhooks/[id]/logs/route.ts → /api/v1/webhooks/{id}/logs */
function urlPathOf(file: string): string {
  const rel = path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep);
  return "/" + rel.map((seg) => seg.replace(/^\[(\w+)\]$/, "{$1}")).join("/");
}

const call = routeCaller(() => key);

/** Parses `value` with `schema` and checks it holds no key the schema does not declare. */
function conforms(schema: z.ZodObject, value: unknown) {
  const parsed = schema.safeParse(value);
  expect(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(true);
  expect(Object.keys(value as object).sort()).toEqual(Object.keys(schema.shape).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort());
}

describe("OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(doc.components).toMatchObject({ securitySchemes: { bearer: { type: "http", scheme: "bearer" } } });
  });

  it("documents every route file's methods, and nothing that has no route", async () => {
    const fromFiles = new Set<string>();
    for (const file of routeFiles(API_DIR)) {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const method of METHODS) if (typeof mod[method] === "function") fromFiles.add(`${method} ${urlPathOf(file)}`);
    }
    const fromDoc = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    expect(fromFiles.size).toBeGreaterThanOrEqual(15);
    expect([...fromDoc].sort()).toEqual([...fromFiles].sort());
  });

  it("gives every operation its path parameters, error responses and, for bodies, a schema", () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      const pathParams = (p.match(/\{(\w+)\}/g) ?? []).map((s) => s.slice(1, -1));
      for (const [method, op] of Object.entries(ops)) {
        expect(op.parameters?.filter((x) => x.in === "path").map((x) => x.name) ?? [], `${method} ${p}`).toEqual(pathParams);
        if (p !== "/api/v1/openapi.json") expect(Object.keys(op.responses), `${method} ${p}`).toEqual(expect.arrayContaining(["401", "429"]));
        if (pathParams.length) expect(Object.keys(op.responses), `${method} ${p}`).toContain("404");
        if (op.requestBody) expect(Object.keys(op.responses), `${method} ${p}`).toEqual(expect.arrayContaining(["400", "422"]));
      }
    }
    expect(doc.paths["/api/v1/webhooks/{id}"]!.delete!.description).toMatch(/force=true/);
    expect(doc.paths["/api/v1/webhooks/{id}"]!.delete!.responses["409"]).toBeDefined();
    expect(doc.paths["/api/v1/openapi.json"]!.get!.security).toEqual([]);
  });

  it("describes the answers the routes really give", async () => {
    const webhookRes = await call(createWebhook, { body: { title: "Docs", url: "http://127.0.0.1:9/hook", events: ["lead.created"], authentication: { type: "BASIC", username: "u", password: "p" } } });
    expect(webhookRes.status).toBe(201);
    const webhook = (await webhookRes.json()) as { id: string };
    conforms(webhookCreatedSchema, webhook);

    const leadRes = await call(postLead, { body: { email: "docs@example.test", status: "New" } });
    const lead = (await leadRes.json()) as { id: string; webhooks: unknown[] };
    conforms(leadResourceSchema, lead);
    await runDispatcher(); // one failed attempt (nothing listens on port 9): an attempt to show in the logs
    const got = (await (await call(getLead, { params: { id: lead.id } })).json()) as { webhooks: unknown[] };
    conforms(leadResourceSchema, got);
    conforms(leadWebhookOutcomeSchema, got.webhooks[0]);
    conforms(noteCreatedSchema, await (await call(postNote, { params: { id: lead.id }, body: { body: "Hi" } })).json());

    const list = (await (await call(listWebhooks)).json()) as { data: unknown[] };
    conforms(webhookListSchema, list);
    conforms(webhookSchema, list.data[0]);
    const logs = (await (await call(webhookLogs, { params: { id: webhook.id } })).json()) as { data: { attempts: unknown[] }[] };
    conforms(logsPageSchema, logs);
    conforms(deliveryLogSchema, logs.data[0]);
    expect(logs.data[0]!.attempts.length).toBeGreaterThan(0);
    conforms(eventTypesSchema, await (await call(eventTypesRoute)).json());
    conforms(organizationResourceSchema, await (await call(getOrganization)).json());
    conforms(organizationResourceSchema, await (await call(patchOrganization, { method: "PATCH", body: { webhooksEnabled: false } })).json());
    const off = (await (await call(postLead, { body: { email: "off@example.test" } })).json()) as { warning?: string };
    conforms(leadResourceSchema, off);
    expect(off.warning).toBeDefined();
  });

  it("documents the Enable Webhooks switch and the warning a lead answer carries while it is off", () => {
    const schemas = (doc.components as { schemas: Record<string, { properties?: Record<string, { description?: string }> }> }).schemas;
    expect(doc.paths["/api/v1/organization"]).toMatchObject({ get: { operationId: "getOrganization" }, patch: { operationId: "updateOrganization" } });
    expect(schemas.OrganizationUpdate!.properties).toHaveProperty("webhooksEnabled");
    expect(schemas.Lead!.properties!.webhooksEnabled!.description).toMatch(/Enable Webhooks/);
    expect(schemas.Lead!.properties).toHaveProperty("warning");
  });

  it("states the rule for numbers and text that cannot be kept as sent", () => {
    expect((doc.info as { description: string }).description).toMatch(/9007199254740991.*422 naming the field.*as strings/s);
    const responses = (doc.components as { responses: Record<string, { description: string }> }).responses;
    expect(responses.ValidationFailed!.description).toMatch(/send them as strings/);
  });

  it("documents 503 with Retry-After (database restarting) on every authenticated operation", () => {
    const responses = (doc.components as { responses: Record<string, { headers?: Record<string, unknown> }> }).responses;
    expect(responses.DatabaseUnavailable!.headers).toHaveProperty("Retry-After");
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) if (p !== "/api/v1/openapi.json") expect(op.responses["503"], `${method} ${p}`).toEqual({ $ref: "#/components/responses/DatabaseUnavailable" });
    }
  });
});
