import { wakeDispatcher } from "@/lib/delivery/wake";

/**
 * Runs `write`, a committed change that records events through recordEvent (a lead created or
 * changed, a note added), then wakes the dispatcher when it queued deliveries: callers do not wait
 * for receivers. The one wake-up after new events.
 */
export async function commitEvents<T extends { deliveryIds: readonly string[] }>(write: () => Promise<T>): Promise<T> {
  const result = await write();
  if (result.deliveryIds.length) wakeDispatcher();
  return result;
}
