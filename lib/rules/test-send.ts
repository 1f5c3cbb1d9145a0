import { leadAnswers, type LeadAnswers } from "@/lib/domain/lead";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Sql } from "@/lib/db/sql";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import { env } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { hostOf } from "@/lib/core/url";
import type { EventEnvelope } from "@/lib/domain/event";
import { ruleFromRow } from "@/lib/domain/rule";
import { sampleEnvelope } from "@/lib/domain/sample";
import { urlShapeProblem } from "@/lib/security/outbound-url";
import { destinationProblem, guardPolicy } from "./destinations";
import { toSnapshot } from "@/lib/leads/mutations";
import { writeTestSend } from "@/lib/outbox/record-event";
import { signatureHeaders } from "@/lib/signing/signature";
import { organizationSigningSecrets, secretsThatSign } from "@/lib/signing/which-secrets";
import { attemptDelivery } from "../delivery/engine/attempt";
import { ATTEMPTS } from "../delivery/engine/record";
import { diagnose } from "../delivery/policy/diagnosis";
import { sent, type ClaimedDelivery } from "../delivery/policy/outcome";
import { redactHeaders } from "../delivery/policy/redact";
import { renderUnconditionally } from "../delivery/render/request";
import type { TokenCache } from "../delivery/transport/auth";
import { decryptAuthConfig } from "../delivery/transport/auth/credentials";
import type { GuardedHttpClient } from "../delivery/transport/http-client";
import { ruleSecretValues, secretScrubber } from "../delivery/transport/secrets";

// Send a test lead: the sample lead (or one of the organization's leads) goes through a saved
// rule's real pipeline (render, authentication, signature, the guarded client, the response rules)
// to the rule's URL or to a test URL given for this send, once (a test is never retried). It is
// recorded as a delivery marked isTest, with its attempt: shown in the delivery log as a test, and
// never counted in statistics, rule health (no report is emitted: no failure streak, no automatic
// disable), duplicates, or error reports (its attempt is stored as already reported). The request
// carries `Leadhooks-Test: true`, as Test Connection's does.

export interface TestSendInput {
  ruleId: string;
  /** One of the organization's leads; none: the sample lead. */
  leadId?: string | null;
  /** Sent here instead of the rule's URL (the same URL checks apply). */
  url?: string | null;
}

export interface TestSendResult {
  deliveryId: string;
  request: { url: string; method: string; headers: Record<string, string>; body: string };
  response: { status: number; headers: Record<string, string>; body: string; bodyTruncated: boolean; durationMs: number; error: string | null };
  /** What the rule's response rules concluded. */
  outcome: { success: boolean; state: "SUCCEEDED" | "FAILED"; reason: string | null; values: Record<string, string> | null; title: string; detail: string };
}

const ATTEMPT_COLUMNS = { ...ATTEMPTS.columns, reportedAt: "timestamp" } as const;

/** The event a test sends: the sample lead, or a chosen lead of the organization with its kept answers (for `answers.…`). */
async function leadEnvelope(prisma: PrismaClient, organization: { id: string; name: string }, type: string, leadId: string | null | undefined, now: Date): Promise<{ envelope: EventEnvelope; answers: LeadAnswers }> {
  const sample = sampleEnvelope(organization, type);
  const base = { ...sample, id: newId("evt"), timestamp: now.toISOString() };
  if (!leadId) return { envelope: base, answers: {} };
  const lead = await prisma.lead.findFirst({ where: { id: leadId, organizationId: organization.id } });
  if (!lead) throw new DomainError("No such lead in this organization.", { leadId: ["Choose one of your leads, or leave it empty for the sample lead."] });
  return { envelope: { ...base, data: { ...sample.data, lead: toSnapshot(lead) } }, answers: leadAnswers(lead.answers) };
}

export async function sendTestLead(
  prisma: PrismaClient,
  sql: Sql,
  organizationId: string,
  input: TestSendInput,
  deps: { client: GuardedHttpClient; tokenCache?: TokenCache; now?: () => Date },
): Promise<TestSendResult> {
  const now = deps.now ?? (() => new Date());
  const row = await prisma.webhookRule.findFirst({ where: { id: input.ruleId, organizationId }, include: { organization: { select: { id: true, name: true } } } });
  if (!row) throw new NotFoundError("Rule not found");
  const testUrl = input.url?.trim();
  const problem = testUrl ? urlShapeProblem(testUrl, { allowInsecure: env().ALLOW_INSECURE_URLS, template: "allowed" }) : null;
  if (problem) throw new DomainError(problem.message, { url: [problem.message] });
  // A test URL gets the check a rule's URL gets when it is saved (its address resolved and allowed);
  // the send itself is guarded again, as every send is.
  const blocked = testUrl ? await destinationProblem(testUrl, guardPolicy()) : null;
  if (blocked) throw new DomainError(blocked, { url: [blocked] });

  const startedAt = now();
  const type = row.events[0] ?? "lead.created";
  const { envelope, answers } = await leadEnvelope(prisma, row.organization, type, input.leadId, startedAt);
  const rule = ruleFromRow({ ...row, url: testUrl || row.url });
  let rendered;
  try {
    rendered = renderUnconditionally(rule, envelope, startedAt, answers);
  } catch (err) {
    throw new DomainError(`The request could not be rendered: ${err instanceof Error ? err.message : String(err)}`);
  }
  const auth = decryptAuthConfig(row.authType, row.authConfigEncrypted);
  const secrets = await secretsThatSign(row, startedAt, () => organizationSigningSecrets(prisma, organizationId));
  const id = newId("dlv");
  const headers = { ...rendered.headers, "leadhooks-test": "true", ...signatureHeaders(row.signatureScheme, { id, body: rendered.body, secrets, now: startedAt }) };
  const result = await attemptDelivery(
    { deliveryId: id, ruleId: row.id, url: rendered.url, method: rendered.method, headers, body: rendered.body, timeoutMs: row.timeoutMs, attemptsMade: 0, auth, responseRules: rule.responseRules, retryPolicy: rule.retryPolicy, timeWindow: null, signingSecrets: secrets },
    { client: deps.client, tokenCache: deps.tokenCache, now },
  );
  // timeWindow is null: a test is always sent. It is tried once: a retryable failure is a failure.
  if (result.kind !== "sent") throw new Error("unreachable: a test send has no sending window");
  const final = { ...result, state: result.state === "SUCCEEDED" ? ("SUCCEEDED" as const) : ("FAILED" as const), nextAttemptAt: null };
  const claimed: ClaimedDelivery = { id, organizationId, ruleId: row.id, url: rendered.url, method: rendered.method, requestHeaders: rendered.headers, attemptCount: 0, consecutiveFailures: 0 };
  const decision = sent(claimed, final, { startedAt, now: now() });

  await writeTestSend(
    sql,
    { id: envelope.id, organizationId, type, payload: envelope, createdAt: startedAt },
    {
      id, organizationId, ruleId: row.id, eventId: envelope.id, leadId: null, state: final.state, url: rendered.url, host: hostOf(rendered.url), method: rendered.method,
      requestHeaders: rendered.headers, requestBody: rendered.body, nextAttemptAt: null, skipKind: null, lastError: decision.outcome.lastError,
      completedAt: decision.outcome.completedAt, createdAt: startedAt, updatedAt: now(), isTest: true, attemptCount: 1, lastStatusCode: result.response.status,
      responseValues: decision.outcome.responseValues,
    },
    [{ table: "DeliveryAttempt", columns: ATTEMPT_COLUMNS, rows: [{ id: newId("att"), ...decision.attempt!, reportedAt: startedAt }] }],
  );

  const response = result.response;
  const scrub = secretScrubber(ruleSecretValues({ auth, signingSecrets: secrets }));
  const apiKeyHeader = auth.type === "API_KEY" && auth.in === "header" ? [auth.name] : [];
  const diagnosis = diagnose({ status: response.status, error: response.error ?? null, authError: response.authError ?? null, verdict: { success: final.state === "SUCCEEDED", reason: result.lastError, error: result.parsedError } });
  return {
    deliveryId: id,
    request: { url: scrub(response.sentUrl), method: rendered.method, headers: redactHeaders(response.sentHeaders, apiKeyHeader), body: rendered.body },
    response: { status: response.status, headers: response.headers, body: response.body, bodyTruncated: response.bodyTruncated, durationMs: response.durationMs, error: response.error?.message ?? null },
    outcome: { success: final.state === "SUCCEEDED", state: final.state, reason: result.lastError, values: result.responseValues, title: diagnosis.title, detail: diagnosis.detail },
  };
}
