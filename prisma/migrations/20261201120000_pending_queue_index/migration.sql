-- The claim reads due deliveries queue by queue (a rule's PENDING deliveries to one host, test
-- sends apart), skipping from one queue to the next, so a rule or host at its limit of requests in
-- flight costs a claim one index descent, not a read of its whole backlog. Only PENDING rows are
-- indexed: a delivery leaves the index when its outcome is recorded.
CREATE INDEX "Delivery_pending_queue_idx" ON "Delivery" ("ruleId", "host", "isTest", "nextAttemptAt") WHERE "state" = 'PENDING';

-- The claim was the one reader of the index by state and due time. Left in place, a plan kept
-- from when the table was small could read a queue through it, in due order across every queue,
-- filtering out the others' deliveries: the whole backlog of a blocked endpoint again. Dropping it
-- also saves an index entry for every delivery written and every outcome recorded.
DROP INDEX "Delivery_state_nextAttemptAt_idx";
