-- Delivery limits per rule: caps per hour, day, week and month, and a rate limit. The settings are
-- a JSON document on the rule (null: none); what each rule has used is one row per rule, updated by
-- the claim in one statement so that concurrent claims never go over a cap. A delivery is counted
-- once, when it is first claimed to be sent (capCounted); its retries never count again.
ALTER TABLE "WebhookRule" ADD COLUMN "deliveryLimits" JSONB;
ALTER TABLE "Delivery" ADD COLUMN "capCounted" BOOLEAN NOT NULL DEFAULT false;
ALTER TYPE "NotificationKind" ADD VALUE 'CAP_REACHED';

CREATE TABLE "RuleUsage" (
  "ruleId" TEXT NOT NULL,
  "hourStart" TIMESTAMP(3),
  "hourUsed" INTEGER NOT NULL DEFAULT 0,
  "dayStart" TIMESTAMP(3),
  "dayUsed" INTEGER NOT NULL DEFAULT 0,
  "weekStart" TIMESTAMP(3),
  "weekUsed" INTEGER NOT NULL DEFAULT 0,
  "monthStart" TIMESTAMP(3),
  "monthUsed" INTEGER NOT NULL DEFAULT 0,
  "rateStart" TIMESTAMP(3),
  "rateUsed" INTEGER NOT NULL DEFAULT 0,
  "rateFullUntil" TIMESTAMP(3),
  "granted" INTEGER NOT NULL DEFAULT 0,
  "grantedRetries" INTEGER NOT NULL DEFAULT 0,
  "notifiedFor" TEXT,
  CONSTRAINT "RuleUsage_pkey" PRIMARY KEY ("ruleId"),
  CONSTRAINT "RuleUsage_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "WebhookRule"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Every claim reads the rules whose rate window is full (beside the paused ones): only those rows are indexed.
CREATE INDEX "RuleUsage_rateFullUntil_idx" ON "RuleUsage" ("rateFullUntil") WHERE "rateFullUntil" IS NOT NULL;
