import { wakeDispatcher } from "@/lib/delivery/wake";
import type { ChainWriter } from "@/lib/delivery/engine/chain";
import { prepareChained } from "./record-event";

/**
 * Runs `write`, a committed change that records events through recordEvent (a lead created or
 * changed, a note added), then wakes the dispatcher when it queued deliveries that were not
 * handed to this process's dispatcher already (`handedIds`, lib/delivery/handoff.ts): callers do
 * not wait for receivers. The one wake-up after new events.
 */
export async function commitEvents<T extends { deliveryIds: readonly string[]; handedIds?: ReadonlySet<string> }>(write: () => Promise<T>): Promise<T> {
  const result = await write();
  if (result.deliveryIds.some((id) => !result.handedIds?.has(id))) wakeDispatcher();
  return result;
}

/**
 * The outbox's part in fallback and linked rules, wired into the engine in each process: the
 * chained deliveries are rendered here, written by the engine with the outcomes that passed the
 * lead on, and the dispatcher is woken once they are committed.
 */
export const outboxChainWriter: ChainWriter = { prepare: prepareChained, written: () => wakeDispatcher() };
