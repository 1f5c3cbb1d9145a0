-- A fallback or linked rule is passed a lead event at most once, however many rules pass it on
-- (before: at most once per parent delivery, so two rules falling back to the same rule sent it
-- the lead twice). Chained deliveries are inserted with ON CONFLICT DO NOTHING, so this index is
-- what makes the second one a no-op, also when two workers record their parents at once.
--
-- A database where that already happened keeps both deliveries (they were sent); the later ones
-- stop counting as chained (their parent link is cleared) so the index can be built.
UPDATE "Delivery" d SET "parentDeliveryId" = NULL, "chainKind" = NULL
WHERE d."parentDeliveryId" IS NOT NULL
  AND EXISTS (SELECT 1 FROM "Delivery" e
              WHERE e."eventId" = d."eventId" AND e."ruleId" = d."ruleId" AND e."parentDeliveryId" IS NOT NULL
                AND (e."createdAt", e.id) < (d."createdAt", d.id));

DROP INDEX "Delivery_parentDeliveryId_ruleId_key";
CREATE UNIQUE INDEX "Delivery_eventId_ruleId_key" ON "Delivery" ("eventId", "ruleId") WHERE "parentDeliveryId" IS NOT NULL;
-- A delivery's page lists the deliveries it passed the lead to.
CREATE INDEX "Delivery_parentDeliveryId_idx" ON "Delivery" ("parentDeliveryId") WHERE "parentDeliveryId" IS NOT NULL;
