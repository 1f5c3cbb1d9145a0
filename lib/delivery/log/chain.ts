import type { ChainKind, DeliveryState } from "@/lib/generated/prisma/enums";

// How the lead's page and the delivery page show a chain of deliveries (fallback and linked
// rules): each chained delivery says whose outcome passed the lead on, and comes right after it.

/** The delivery whose outcome passed the lead on, as a chained delivery names it. */
export interface ChainParent {
  ruleTitle: string;
  state: DeliveryState;
  lastError: string | null;
}

/** "Fallback of Main buyer (failed: HTTP 400)" / "Linked after Main buyer". */
export function chainNote(kind: ChainKind, parent: ChainParent): string {
  if (kind === "LINKED") return `Linked after ${parent.ruleTitle}`;
  const reason = parent.lastError?.replace(/^skipped:\s*/i, "");
  return `Fallback of ${parent.ruleTitle} (${parent.state.toLowerCase()}${reason ? `: ${reason}` : ""})`;
}

/**
 * The rows with each chained one right after the delivery that passed the lead on (when that one
 * is among them), and its depth in the chain (0: not chained, or its parent is not listed).
 */
export function inChainOrder<T extends { deliveryId: string; parentDeliveryId: string | null }>(rows: readonly T[]): (T & { depth: number })[] {
  const listed = new Set(rows.map((r) => r.deliveryId));
  const children = new Map<string, T[]>();
  for (const r of rows) if (r.parentDeliveryId && listed.has(r.parentDeliveryId)) children.set(r.parentDeliveryId, [...(children.get(r.parentDeliveryId) ?? []), r]);
  const out: (T & { depth: number })[] = [];
  const seen = new Set<string>();
  const add = (r: T, depth: number) => {
    if (seen.has(r.deliveryId)) return;
    seen.add(r.deliveryId);
    out.push({ ...r, depth });
    for (const c of children.get(r.deliveryId) ?? []) add(c, depth + 1);
  };
  for (const r of rows) if (!r.parentDeliveryId || !listed.has(r.parentDeliveryId)) add(r, 0);
  for (const r of rows) add(r, 0); // anything left (a cycle of old data) keeps its place
  return out;
}
