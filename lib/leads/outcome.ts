import type { DeliveryState } from "@/lib/generated/prisma/enums";

// A lead's webhook outcome: how many rules' latest deliveries are in each state. Pure (no Prisma
// client), so the browser's leads table can format it.

export type WebhookOutcome = Record<DeliveryState, number>;

export function emptyOutcome(): WebhookOutcome {
  return { PENDING: 0, SUCCEEDED: 0, FAILED: 0, SKIPPED: 0 };
}

const OUTCOME_WORDS: [DeliveryState, string][] = [
  ["SUCCEEDED", "sent"],
  ["FAILED", "failed"],
  ["PENDING", "pending"],
  ["SKIPPED", "skipped"],
];

/** "2 sent · 1 failed"; "No webhooks" when no rule has fired for the lead. */
export function webhookOutcomeText(outcome: WebhookOutcome): string {
  const parts = OUTCOME_WORDS.filter(([state]) => outcome[state] > 0).map(([state, word]) => `${outcome[state]} ${word}`);
  return parts.length ? parts.join(" · ") : "No webhooks";
}
