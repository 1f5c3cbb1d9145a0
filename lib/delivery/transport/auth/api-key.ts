import { appendQuery } from "@/lib/core/url";
import type { OutboundRequest } from "@/lib/delivery/transport/http-client";
import { REDACTED } from "@/lib/delivery/policy/redact";
import { withHeader } from "./types";

export interface ApiKeyConfig {
  name: string;
  value: string;
  in: "header" | "query";
}

/**
 * Adds the key to the request, and says how to show what was sent: a header name to redact, or
 * the URL with the key's value replaced.
 */
export function applyApiKey(req: OutboundRequest, key: ApiKeyConfig): { req: OutboundRequest; sentUrl: string; sensitiveHeaders: string[] } {
  if (key.in === "header") return { req: withHeader(req, key.name, key.value), sentUrl: req.url, sensitiveHeaders: [key.name] };
  // An unparseable URL is left for the guarded client to refuse (status 999, "invalid_url").
  if (!URL.canParse(req.url)) return { req, sentUrl: req.url, sensitiveHeaders: [] };
  return { req: { ...req, url: withQueryKey(req.url, key.name, key.value) }, sentUrl: withQueryKey(req.url, key.name, REDACTED, true), sensitiveHeaders: [] };
}

/**
 * The URL (parsed and written out again) with `name=value` added to its query, the existing query
 * kept byte for byte. `readable` leaves the redaction marker's brackets unencoded for display.
 */
export function withQueryKey(url: string, name: string, value: string, readable = false): string {
  let pair = new URLSearchParams([[name, value]]).toString();
  if (readable) pair = pair.replace(encodeURIComponent(REDACTED), REDACTED);
  return appendQuery(new URL(url).href, pair);
}
