-- Ordering per lead: a rule's delivery of a lead is not claimed while an earlier delivery of the
-- same lead to the same rule is still PENDING. The claim reads the ordered rules at every claim;
-- this index holds only those, so that read stays tiny. The earlier deliveries are found through
-- the existing index on "Delivery"("leadId").
ALTER TABLE "WebhookRule" ADD COLUMN "orderedPerLead" BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX "WebhookRule_orderedPerLead_idx" ON "WebhookRule" ("id") WHERE "orderedPerLead";
