-- Batches: a rule with "batch" set sends its deliveries together, one request per batch. The claim
-- passes over those rules' deliveries (the batch step sends them) and reads them at every claim;
-- this index holds only those rules, so that read stays tiny. A delivery keeps the id of the batch
-- it was sent in (its retries send the same batch again); its members are found by that id.
ALTER TABLE "WebhookRule" ADD COLUMN "batch" JSONB;
CREATE INDEX "WebhookRule_batch_idx" ON "WebhookRule" ("id") WHERE "batch" IS NOT NULL;
ALTER TABLE "Delivery" ADD COLUMN "batchId" TEXT;
CREATE INDEX "Delivery_batchId_idx" ON "Delivery" ("batchId");
