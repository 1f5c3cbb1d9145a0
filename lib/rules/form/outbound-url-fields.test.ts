import { describe, expect, it } from "vitest";
import { z } from "zod";
import { apiFieldPath } from "@/lib/api/webhooks/convert";
import { webhookCreateSchema } from "@/lib/api/webhooks/schema";
import { destinationErrors } from "@/lib/rules/destinations";
import { OUTBOUND_URL_MESSAGES } from "@/lib/security/outbound-url";
import { emptyAuthForm } from "./credentials";
import { emptyRuleInput, OUTBOUND_URL_FIELDS, ruleSchema, type RuleInput } from "./rule";

// Every URL Leadhooks calls goes through one check. This walks the rule form's schema and the
// API's webhook schema for fields that look like URLs: each must be in OUTBOUND_URL_FIELDS, and
// each field in it must refuse the same bad URLs with a field error of its own.

const URL_LIKE = /url|uri|endpoint|href|callback|redirect|webhook/i;

/** Paths of the string fields whose name looks like a URL, in a JSON schema. */
function urlLikePaths(schema: unknown, path: string[] = []): string[] {
  if (!schema || typeof schema !== "object") return [];
  const s = schema as { type?: unknown; properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[]; oneOf?: unknown[]; allOf?: unknown[] };
  const found: string[] = [];
  const last = path[path.length - 1] ?? "";
  if ((s.type === "string" || (Array.isArray(s.type) && s.type.includes("string"))) && URL_LIKE.test(last)) found.push(path.join("."));
  for (const [key, child] of Object.entries(s.properties ?? {})) found.push(...urlLikePaths(child, [...path, key]));
  if (s.items) found.push(...urlLikePaths(s.items, [...path, "*"]));
  for (const child of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) found.push(...urlLikePaths(child, path));
  return [...new Set(found)];
}

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

/** How to make the rule call each URL field (a field only counts when the rule uses it). */
const ACTIVATE: Record<string, (url: string) => Partial<RuleInput>> = {
  url: (url) => ({ url }),
  "timeWindow.alternateUrl": (url) => ({ timeWindow: { enabled: true, days: [1], start: "09:00", end: "17:00", timezone: "UTC", outside: "alternate", alternateUrl: url } }),
  "auth.tokenUrl": (url) => ({ auth: { ...emptyAuthForm(), type: "OAUTH2", tokenUrl: url, clientId: "leadhooks", clientSecret: "s3cret" } }),
};

const input = (patch: Partial<RuleInput>): RuleInput => ({ ...emptyRuleInput(), title: "URL fields", url: "https://hooks.example.com/x", ...patch });
const strict = ruleSchema({ allowInsecureUrls: false });

function errorsAt(path: string, value: string): string[] {
  const parsed = strict.safeParse(input(ACTIVATE[path]!(value)));
  return parsed.success ? [] : parsed.error.issues.filter((i) => i.path.join(".") === path).map((i) => i.message);
}

describe("outbound URL fields", () => {
  it("lists every URL-like field of the rule form's schema", () => {
    const formPaths = urlLikePaths(jsonSchema(ruleSchema({ allowInsecureUrls: false })));
    expect(formPaths.length).toBeGreaterThanOrEqual(3);
    expect(formPaths.filter((p) => !OUTBOUND_URL_FIELDS.some((f) => f.path === p))).toEqual([]);
  });

  it("lists every URL-like field of the API's webhook schema", () => {
    const apiPaths = urlLikePaths(jsonSchema(webhookCreateSchema));
    const registered = OUTBOUND_URL_FIELDS.map((f) => apiFieldPath(f.path));
    expect(apiPaths.filter((p) => !registered.includes(p))).toEqual([]);
  });

  it("knows how to make the rule call each listed field", () => {
    expect(OUTBOUND_URL_FIELDS.map((f) => f.path).filter((p) => !ACTIVATE[p])).toEqual([]);
  });

  const bad: [string, string][] = [
    ["javascript:alert(1)", OUTBOUND_URL_MESSAGES.protocol],
    ["file:///etc/passwd", OUTBOUND_URL_MESSAGES.protocol],
    ["ftp://hooks.example.com/x", OUTBOUND_URL_MESSAGES.protocol],
    ["not a url", OUTBOUND_URL_MESSAGES.whitespace],
    ["hooks.example.com/x", OUTBOUND_URL_MESSAGES.invalid],
    ["http://hooks.example.com/x", OUTBOUND_URL_MESSAGES.insecure],
    ["https://hooks.example.com:0/x", OUTBOUND_URL_MESSAGES.port],
    ["https://hooks.example.com:65536/x", OUTBOUND_URL_MESSAGES.port],
    ["https://user:pa55word@hooks.example.com/x", OUTBOUND_URL_MESSAGES.credentials],
    ["https://:pa55word@hooks.example.com/x", OUTBOUND_URL_MESSAGES.credentials],
  ];
  describe.each(OUTBOUND_URL_FIELDS.map((f) => [f.path] as const))("%s", (path) => {
    it.each(bad)("refuses %s under its own field", (value, message) => {
      expect(errorsAt(path, value)).toEqual([message]);
    });

    it("accepts an https URL, and http only when ALLOW_INSECURE_URLS allows it", () => {
      expect(errorsAt(path, "https://hooks.example.com:8443/x")).toEqual([]);
      expect(ruleSchema({ allowInsecureUrls: true }).safeParse(input(ACTIVATE[path]!("http://hooks.example.com/x"))).success).toBe(true);
    });

    it.each(["https://[::169.254.169.254]/latest/meta-data/", "https://10.0.0.1/x", "https://[::ffff:127.0.0.1]/", "https://localhost./"])(
      "refuses the destination %s at save, under its own field",
      async (value) => {
        const values = strict.parse(input(ACTIVATE[path]!(value)));
        const errors = await destinationErrors(values, { policy: { allowedNetworks: [], allowInsecure: false }, lookup: async () => [{ address: "93.184.216.34", family: 4 }] });
        expect(Object.keys(errors)).toEqual([path]);
        expect(errors[path]![0]).toMatch(/address|loopback/);
      },
    );
  });

  it("says which setting allows http:// for development", () => {
    expect(OUTBOUND_URL_MESSAGES.insecure).toContain("ALLOW_INSECURE_URLS=true");
  });

  it("never repeats a URL's password in a message", () => {
    for (const path of Object.keys(ACTIVATE)) {
      for (const value of ["https://u:pa55word@10.0.0.1/x", "http://u:pa55word@hooks.example.com:99999/", "ftp://u:pa55word@x/"]) {
        expect(errorsAt(path, value).join(" ")).not.toContain("pa55word");
      }
    }
  });
});
