-- Most deliveries are sent in no batch and were passed on by no other delivery (fallback and
-- linked rules): index only those that were. Accepting a lead's deliveries and recording their
-- outcomes (an update of an indexed column, so every index gets an entry) then write two index
-- entries fewer per delivery. Lookups by batchId or parentDeliveryId name a value, which the
-- partial indexes cover; ON CONFLICT DO NOTHING still finds the unique one.
DROP INDEX "Delivery_batchId_idx";
CREATE INDEX "Delivery_batchId_idx" ON "Delivery" ("batchId") WHERE "batchId" IS NOT NULL;

DROP INDEX "Delivery_parentDeliveryId_ruleId_key";
CREATE UNIQUE INDEX "Delivery_parentDeliveryId_ruleId_key" ON "Delivery" ("parentDeliveryId", "ruleId") WHERE "parentDeliveryId" IS NOT NULL;
