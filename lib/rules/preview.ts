import { ruleFromRow, type Rule } from "@/lib/domain/rule";
import { requestColumnsFromForm } from "@/lib/rules/form/endpoint-mapping";
import type { AuthFormValues } from "@/lib/rules/form/credentials";
import type { RequestFormValues } from "@/lib/rules/form/request";
import { withQueryKey } from "../delivery/transport/auth/api-key";
import { renderUnconditionally } from "../delivery/render/request";
import type { LeadAnswers } from "@/lib/domain/lead";
import { sampleEnvelope } from "@/lib/domain/sample";
import { signaturePreviewHeaders } from "../signing/signature";

// The Request tab's live preview: the request a sample lead would produce with the form's current
// values. Credentials are shown as placeholders (the browser never receives a stored secret), and
// the signature headers as the names they will have.

export const MASK = "••••••";

export type PreviewResult =
  | { ok: true; method: string; url: string; headers: [string, string][]; body: string }
  | { ok: false; error: string; field?: string };

export interface PreviewInput extends Pick<Rule, "url" | "signatureScheme"> {
  organization: { id: string; name: string };
  trigger: string;
  /** The lead's kept client answers, as templates read them (answers.<rule id>.<name>). */
  answers?: LeadAnswers;
  request: RequestFormValues;
  auth: AuthFormValues;
  now?: Date;
}

export function previewRequest(input: PreviewInput): PreviewResult {
  const envelope = sampleEnvelope(input.organization, input.trigger);
  let rendered;
  try {
    rendered = renderUnconditionally(ruleFromRow({ ...requestColumnsFromForm(input.request), url: input.url }), envelope, input.now ?? new Date(), input.answers);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  let url = rendered.url;
  const headers: [string, string][] = Object.entries(rendered.headers);
  const auth = input.auth;
  switch (auth.type) {
    case "BASIC":
      headers.push(["authorization", `Basic ${MASK}`]);
      break;
    case "DIGEST":
      headers.push(["authorization", `Digest username="${auth.username}", … (answers the server's challenge)`]);
      break;
    case "BEARER":
      headers.push(["authorization", `${auth.prefix ? `${auth.prefix} ` : ""}${MASK}`]);
      break;
    case "OAUTH2":
      headers.push(["authorization", `Bearer ${MASK} (access token from ${auth.tokenUrl || "the token URL"})`]);
      break;
    case "API_KEY":
      if (auth.keyIn === "header") headers.push([auth.keyName.toLowerCase(), MASK]);
      // As the sender appends it: the existing query kept byte for byte.
      else if (URL.canParse(url)) url = withQueryKey(url, auth.keyName, MASK);
      break;
  }
  headers.push(...signaturePreviewHeaders(input.signatureScheme, MASK));
  return { ok: true, method: rendered.method, url, headers, body: rendered.body };
}
