-- The claim's queues are kept in order of when each PENDING delivery may next be claimed: its due
-- time, or its lease's end when that is later (GREATEST skips a null lease). A delivery in flight
-- holds a lease past now, so it sits at its queue's tail, beyond the range a claim reads
-- ("up to now"), instead of at its head, where every claim stepped over it again (each one a read
-- of its row to find the lease). A lease that runs out (its process died) brings it back into range
-- by itself.
DROP INDEX "Delivery_pending_queue_idx";
CREATE INDEX "Delivery_pending_queue_idx" ON "Delivery" ("ruleId", "host", "isTest", GREATEST("nextAttemptAt", "leaseExpiresAt")) WHERE "state" = 'PENDING';
