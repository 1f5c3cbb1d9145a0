// A delivery's states, as the Delivery table stores them (lib/delivery/log/queries.ts checks that
// this list and the database enum are the same).

export const DELIVERY_STATES = ["PENDING", "SUCCEEDED", "FAILED", "SKIPPED"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
