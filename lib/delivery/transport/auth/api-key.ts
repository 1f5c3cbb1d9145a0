import type { OutboundRequest } from "@/lib/delivery/transport/http-client";
import { REDACTED } from "@/lib/delivery/transport/redact";
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
  return { req: { ...req, url: appendQuery(req.url, key.name, key.value) }, sentUrl: appendQuery(req.url, key.name, REDACTED, true), sensitiveHeaders: [] };
}

/**
 * Appends `name=value` to the query. The existing query is kept byte for byte (re-serialising it
 * through URLSearchParams would turn %20 into + and similar, which some receivers read
 * differently). `readable` leaves the redaction marker's brackets unencoded for display.
 */
export function appendQuery(url: string, name: string, value: string, readable = false): string {
  const u = new URL(url);
  let pair = new URLSearchParams([[name, value]]).toString();
  if (readable) pair = pair.replace(encodeURIComponent(REDACTED), REDACTED);
  const existing = u.search.slice(1);
  u.search = existing ? `${existing}&${pair}` : pair;
  return u.href;
}
