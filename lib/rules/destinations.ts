import ipaddr from "ipaddr.js";
import { env } from "@/lib/core/env";
import { within } from "@/lib/core/within";
import { withoutCredentials } from "@/lib/security/outbound-url";
import { BlockedRequestError, isLocalhostName, resolveAllowed, systemLookup, type GuardPolicy, type LookupFn } from "@/lib/security/ssrf";
import { OUTBOUND_URL_FIELDS, type RuleUrlSource } from "@/lib/rules/form/rule";

// Where a rule's URLs lead must be public addresses. The delivery engine checks every request
// after DNS anyway; checking when a rule is saved (form or API) or tested turns a typo, an
// internal host or a metadata address into a field error now instead of failed deliveries later.
// The URLs' form is checked by the rule schema (OUTBOUND_URL_FIELDS) before this runs.

const TEMPLATE_PART = /\{\{[^{}]*\}\}|\{%.*?%\}/g;
const MARKER = "lhtemplatepart";
export const DNS_TIMEOUT_MS = 5000;

/** The host to check, or null when the host itself is templated (rendered per lead, checked at send time). */
export function fixedHost(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(TEMPLATE_PART, MARKER));
  } catch {
    return null; // the schema's URL check reports it
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  return host && !host.includes(MARKER) ? host : null;
}

function withTimeout(lookup: LookupFn, ms: number): LookupFn {
  return (hostname) => within(lookup(hostname), ms, () => Object.assign(new Error("timed out"), { code: "ETIMEOUT" }));
}

/**
 * Null when the URL's host may be reached (or does not resolve), else the sentence to show under
 * the field. The host is
 * taken as the URL parser normalizes it (2130706433 is 127.0.0.1), as the client will connect.
 * `resolve: false` judges only what needs no DNS: a literal address or a localhost name.
 */
export async function destinationProblem(url: string, policy: GuardPolicy, lookup: LookupFn = systemLookup, resolve = true): Promise<string | null> {
  const host = fixedHost(url);
  if (!host || (!resolve && !ipaddr.isValid(host) && !isLocalhostName(host))) return null;
  try {
    await resolveAllowed(host, policy, withTimeout(lookup, DNS_TIMEOUT_MS));
    return null;
  } catch (err) {
    if (!(err instanceof BlockedRequestError)) throw err;
    // A name that does not resolve (yet) leads nowhere to judge: it is judged when it does, at
    // send time, where a DNS failure is reported as such.
    if (err.reason === "dns") return null;
    return `${err.message.replace(/^Blocked: /, "")}. Leadhooks only calls public addresses (ALLOWED_PRIVATE_NETWORKS lists private ranges it may call).`;
  }
}

/** The outbound URLs a rule calls, keyed by their form path ("url", "auth.tokenUrl", …). */
export type Destinations = Record<string, string | null>;

export function destinationsOf(rule: RuleUrlSource): Destinations {
  return Object.fromEntries(OUTBOUND_URL_FIELDS.map((f) => [f.path, f.valueIn(rule)?.trim() || null]));
}

export function guardPolicy(): GuardPolicy {
  const e = env();
  return { allowedNetworks: e.ALLOWED_PRIVATE_NETWORKS, allowInsecure: e.ALLOW_INSECURE_URLS };
}

/**
 * Problems with a rule's outbound URLs, keyed by form path. A URL unchanged since `before` is
 * judged without a new DNS lookup (a saved rule stays editable while its host is briefly down),
 * but a literal address or a localhost name (no DNS needed) is judged again.
 */
export async function destinationErrors(
  rule: RuleUrlSource,
  options: { before?: Destinations | null; policy?: GuardPolicy; lookup?: LookupFn } = {},
): Promise<Record<string, string[]>> {
  const policy = options.policy ?? guardPolicy();
  const errors: Record<string, string[]> = {};
  await Promise.all(
    Object.entries(destinationsOf(rule)).map(async ([path, url]) => {
      if (!url) return;
      const problem = await destinationProblem(url, policy, options.lookup, url !== options.before?.[path]);
      if (problem) errors[path] = [problem];
    }),
  );
  return errors;
}

/**
 * The rule's values with any user name and password taken out of its outbound URLs. Such URLs are
 * refused at save; rules saved before that show (in the form, the API) and keep only the rest.
 */
export function withoutUrlCredentials<T extends RuleUrlSource>(values: T): T {
  let out = values;
  for (const { path } of OUTBOUND_URL_FIELDS) {
    const keys = path.split(".");
    const update = (obj: Record<string, unknown>, depth: number): Record<string, unknown> => {
      const key = keys[depth]!;
      const value = obj[key];
      if (depth === keys.length - 1) return typeof value === "string" ? { ...obj, [key]: withoutCredentials(value) } : obj;
      return value && typeof value === "object" ? { ...obj, [key]: update(value as Record<string, unknown>, depth + 1) } : obj;
    };
    out = update(out as unknown as Record<string, unknown>, 0) as unknown as T;
  }
  return out;
}
