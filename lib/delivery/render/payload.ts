import { appendQuery } from "@/lib/core/url";
import type { EventEnvelope } from "@/lib/domain/event";
import type { HttpMethod, PayloadFormatValue } from "@/lib/domain/rule/request";
import type { TemplateContext } from "./context";
import { textTemplates } from "./liquid";
import type { MappedFields } from "./mapping";

// The body of a request in the rule's payload format, and the URL for GET (whose fields travel in
// the query string instead).

export const CONTENT_TYPES: Record<PayloadFormatValue, string> = {
  JSON: "application/json",
  FORM: "application/x-www-form-urlencoded",
  XML: "application/xml",
  TEMPLATE: "text/plain; charset=utf-8",
};

export interface PayloadSettings {
  method: HttpMethod;
  payloadFormat: PayloadFormatValue;
  payloadTemplate: string;
  wrapInEnvelope: boolean;
}

export interface RenderedPayload {
  url: string;
  /** null for GET, which has no body. */
  contentType: string | null;
  body: string;
}

/**
 * Renders the body (or, for GET, the query string) from the mapped fields. For JSON inside the
 * envelope with "map all fields", the body is exactly JSON.stringify(envelope), the body every
 * delivery had before field mappings existed: receivers depend on those bytes.
 */
export function renderPayload(settings: PayloadSettings, url: string, envelope: EventEnvelope, ctx: TemplateContext, fields: MappedFields | null): RenderedPayload {
  if (settings.method === "GET") return { url: appendQuery(url, new URLSearchParams(flattenFields(fields ?? {})).toString()), contentType: null, body: "" };
  const contentType = CONTENT_TYPES[settings.payloadFormat];
  switch (settings.payloadFormat) {
    case "JSON": {
      // Spreads keep the envelope's key order, and data.lead's place in it.
      const body = settings.wrapInEnvelope ? { ...envelope, data: { ...envelope.data, lead: fields } } : fields;
      return { url, contentType, body: JSON.stringify(body) };
    }
    case "FORM":
      return { url, contentType, body: new URLSearchParams(flattenFields(fields ?? {})).toString() };
    case "XML":
    case "TEMPLATE":
      return { url, contentType, body: textTemplates.render(settings.payloadTemplate, { ...ctx, fields: fields ?? {} }) };
  }
}

/**
 * Name/value pairs for form bodies and query strings: nested objects become dotted names
 * (`name.first`), null an empty value, and arrays (or objects inside them) a JSON string.
 */
export function flattenFields(fields: MappedFields): [string, string][] {
  const out: [string, string][] = [];
  const walk = (value: unknown, name: string) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, name ? `${name}.${key}` : key);
    } else if (name) {
      out.push([name, value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value)]);
    }
  };
  walk(fields, "");
  return out;
}
