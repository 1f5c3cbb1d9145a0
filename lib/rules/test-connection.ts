import type { AuthFailure } from "@/lib/domain/attempt";
import { newId } from "@/lib/core/ids";
import { ruleFromRow, type Rule } from "@/lib/domain/rule";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { storedResponseRulesSchema } from "@/lib/domain/rule/response";
import { requestColumnsFromForm } from "@/lib/rules/form/endpoint-mapping";
import type { RequestFormValues } from "@/lib/rules/form/request";
import { sendAuthenticated, type TokenCache } from "../delivery/transport/auth";
import { diagnose } from "../delivery/policy/diagnosis";
import type { GuardedHttpClient } from "../delivery/transport/http-client";
import { renderUnconditionally } from "../delivery/render/request";
import { sampleEnvelope } from "@/lib/domain/sample";
import { ruleSecretValues, scrubResponse, secretScrubber } from "../delivery/transport/secrets";
import { evaluateResponse } from "../delivery/policy/response";
import { signatureHeaders } from "../signing/signature";

// Test Connection: sends one sample lead, rendered with the rule's mapping and format as they are
// in the form right now (saved or not), through the same authentication and guarded client as
// real deliveries, and explains the outcome in plain language. The request carries
// `Leadhooks-Test: true` so receivers can tell it from a real lead.

export const EXCERPT_CHARS = 2000;

export interface TestConnectionInput extends Pick<Rule, "url" | "responseRules" | "timeoutMs" | "signatureScheme"> {
  organization: { id: string; name: string };
  /** The rule's id when it is saved (token cache key), else null. */
  ruleId: string | null;
  trigger: string;
  request: RequestFormValues;
  auth: AuthConfig;
  signingSecrets: string[];
}

export interface TestConnectionResult {
  ok: boolean;
  status: number;
  durationMs: number;
  title: string;
  detail: string;
  responseExcerpt: string;
  testedAt: string;
}

export async function testConnection(
  input: TestConnectionInput,
  deps: { client: GuardedHttpClient; tokenCache?: TokenCache; now?: () => Date },
): Promise<TestConnectionResult> {
  const now = deps.now ?? (() => new Date());
  const testedAt = now();
  const envelope = sampleEnvelope(input.organization, input.trigger);
  let rendered;
  try {
    // Conditions and the sending window decide *whether* to send a real lead; a test always sends.
    rendered = renderUnconditionally(ruleFromRow({ ...requestColumnsFromForm(input.request), url: input.url }), envelope, testedAt);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, status: 0, durationMs: 0, title: "The request could not be rendered", detail: message, responseExcerpt: "", testedAt: testedAt.toISOString() };
  }
  const id = newId("test");
  const headers = { ...rendered.headers, "leadhooks-test": "true", ...signatureHeaders(input.signatureScheme, { id, body: rendered.body, secrets: input.signingSecrets, now: testedAt }) };
  const sent = await sendAuthenticated(
    deps.client,
    { url: rendered.url, method: rendered.method, headers, body: rendered.method === "GET" ? undefined : rendered.body, timeoutMs: input.timeoutMs },
    input.auth,
    { cacheKey: `test:${input.ruleId ?? "unsaved"}`, tokenCache: deps.tokenCache, now: () => now().getTime() },
  );
  // The excerpt, the diagnosis and the response rules see the answer with the rule's secrets scrubbed.
  const response = scrubResponse(sent, secretScrubber(ruleSecretValues({ auth: input.auth, signingSecrets: input.signingSecrets, sent })));
  const verdict = evaluateResponse(storedResponseRulesSchema.parse(input.responseRules), response);
  // A Digest challenge that cannot be answered is said as such, not as "verify the credentials":
  // the credentials were never tried.
  const authError: AuthFailure | null = response.authError ?? (response.challengeError ? { kind: "digest_challenge", message: response.challengeError, status: response.status } : null);
  const diagnosis = diagnose({ status: response.status, error: response.error ?? null, authError, verdict });
  return {
    ok: diagnosis.ok,
    status: response.status,
    durationMs: response.durationMs,
    title: diagnosis.title,
    detail: diagnosis.detail,
    responseExcerpt: response.body.slice(0, EXCERPT_CHARS),
    testedAt: testedAt.toISOString(),
  };
}
