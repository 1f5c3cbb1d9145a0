-- A queue's deliveries that may be claimed at the same instant go oldest first: the index keeps
-- them by id after their claimable time (ids sort by when they were made, lib/core/ids.ts). Many
-- share that instant: those a closed sending window, a cap or a changed setting held are all let go
-- at once. Ordered by time alone, they came in the order of their rows in the table, which updates
-- and reused space shuffle: the newest lead of a night's backlog could go first.
DROP INDEX "Delivery_pending_queue_idx";
CREATE INDEX "Delivery_pending_queue_idx" ON "Delivery" ("ruleId", "host", "isTest", GREATEST("nextAttemptAt", "leaseExpiresAt"), "id") WHERE "state" = 'PENDING';
