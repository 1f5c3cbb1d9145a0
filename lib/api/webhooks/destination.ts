import { env } from "@/lib/env";
import { BlockedRequestError, resolveAllowed, systemLookup, type GuardPolicy, type LookupFn } from "@/lib/security/ssrf";
import type { RuleValues } from "@/lib/validations/rule";

// Where a webhook sends must be a public address. The delivery engine checks every request after
// DNS (and on redirects) anyway; checking when a webhook is created or its URLs change turns a
// typo or an internal host into a clear 422 now instead of failed deliveries later.

const TEMPLATE_PART = /\{\{[^{}]*\}\}|\{%.*?%\}/g;
const MARKER = "lhtemplatepart";
export const DNS_TIMEOUT_MS = 5000;

/** The host to check, or null when the host itself is templated (rendered per lead, checked at send time). */
export function fixedHost(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(TEMPLATE_PART, MARKER));
  } catch {
    return null; // the form's URL check reports it
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  return host && !host.includes(MARKER) ? host : null;
}

function withTimeout(lookup: LookupFn, ms: number): LookupFn {
  return (hostname) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(Object.assign(new Error("timed out"), { code: "ETIMEOUT" })), ms);
      lookup(hostname).then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e: unknown) => (clearTimeout(timer), reject(e)),
      );
    });
}

/** Null when the URL's host may be reached, else the sentence to show under the field. */
export async function destinationProblem(url: string, policy: GuardPolicy, lookup: LookupFn = systemLookup): Promise<string | null> {
  const host = fixedHost(url);
  if (!host) return null;
  try {
    await resolveAllowed(host, policy, withTimeout(lookup, DNS_TIMEOUT_MS));
    return null;
  } catch (err) {
    if (!(err instanceof BlockedRequestError)) throw err;
    if (err.reason === "dns") return `Cannot resolve host ${host} (${err.message.replace(/^DNS lookup for \S+ /, "")}). Check the host name.`;
    return `${err.message.replace(/^Blocked: /, "")}. Webhooks can only reach public addresses.`;
  }
}

export interface Destinations {
  url: string;
  alternateUrl: string | null;
  tokenUrl: string | null;
}

/** The URLs a rule sends to: its URL, the alternate URL outside its window, its OAuth token URL. */
export function destinationsOf(values: Pick<RuleValues, "url" | "timeWindow" | "auth">): Destinations {
  const w = values.timeWindow;
  return {
    url: values.url,
    alternateUrl: w.enabled && w.outside === "alternate" ? w.alternateUrl : null,
    tokenUrl: values.auth.type === "OAUTH2" ? values.auth.tokenUrl : null,
  };
}

const API_PATH: Record<keyof Destinations, string> = { url: "url", alternateUrl: "request.timeWindow.alternateUrl", tokenUrl: "authentication.tokenUrl" };

/**
 * Problems with the destinations that are new (not in `before`), keyed by API path. Unchanged
 * URLs are not resolved again: a saved webhook stays editable while its host is briefly down.
 */
export async function destinationErrors(values: RuleValues, before: Destinations | null, lookup?: LookupFn): Promise<Record<string, string[]>> {
  const e = env();
  const policy: GuardPolicy = { allowedNetworks: e.ALLOWED_PRIVATE_NETWORKS, allowInsecure: e.ALLOW_INSECURE_URLS };
  const now = destinationsOf(values);
  const errors: Record<string, string[]> = {};
  await Promise.all(
    (Object.keys(now) as (keyof Destinations)[]).map(async (key) => {
      const url = now[key];
      if (!url || url === before?.[key]) return;
      const problem = await destinationProblem(url, policy, lookup);
      if (problem) errors[API_PATH[key]] = [problem];
    }),
  );
  return errors;
}
