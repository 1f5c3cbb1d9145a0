-- Duplicate suppression: the rule's setting (null: off), and on each delivery the key it was
-- checked under and the earlier delivery it duplicates when it was skipped for that. The check
-- looks up a rule's earlier deliveries by key; the index holds only deliveries that have one.
-- Test sends (from the rule form or the API) are deliveries marked isTest.
ALTER TABLE "WebhookRule" ADD COLUMN "duplicateSuppression" JSONB;
ALTER TABLE "Delivery" ADD COLUMN "dedupeKey" TEXT, ADD COLUMN "duplicateOfId" TEXT,
  ADD COLUMN "isTest" BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX "Delivery_ruleId_dedupeKey_idx" ON "Delivery" ("ruleId", "dedupeKey", "createdAt") WHERE "dedupeKey" IS NOT NULL;
