-- Fallback and linked rules: a rule names the rule that gets the lead when its delivery fails for
-- good (fallbackRuleId; fallbackOn adds 'capSkipped' and 'outsideWindow') and the one that gets it
-- after a success (linkedRuleId). A chained delivery names the delivery whose outcome passed the
-- lead on; the unique key makes the outbox write it at most once, however often that outcome is
-- recorded (a lease taken over, an admin's retry).
CREATE TYPE "ChainKind" AS ENUM ('FALLBACK', 'LINKED');

ALTER TABLE "WebhookRule" ADD COLUMN "fallbackRuleId" TEXT, ADD COLUMN "linkedRuleId" TEXT,
  ADD COLUMN "fallbackOn" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "WebhookRule" ADD CONSTRAINT "WebhookRule_fallbackRuleId_fkey" FOREIGN KEY ("fallbackRuleId") REFERENCES "WebhookRule"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "WebhookRule" ADD CONSTRAINT "WebhookRule_linkedRuleId_fkey" FOREIGN KEY ("linkedRuleId") REFERENCES "WebhookRule"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Delivery" ADD COLUMN "parentDeliveryId" TEXT, ADD COLUMN "chainKind" "ChainKind";
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_parentDeliveryId_fkey" FOREIGN KEY ("parentDeliveryId") REFERENCES "Delivery"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE UNIQUE INDEX "Delivery_parentDeliveryId_ruleId_key" ON "Delivery"("parentDeliveryId", "ruleId");
