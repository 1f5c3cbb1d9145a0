import type { Claimed } from "./engine/claim";

// Handing new deliveries straight to this process's dispatcher. A delivering process that accepts
// an event (lead intake) has in hand everything sending its deliveries needs: the rendered
// request, and its rule's settings (cached by the organization's configVersion). When its
// dispatcher has a free slot for a delivery's rule and host, the delivery is written already
// leased to the dispatcher (in the same statement as the event), and started once that statement
// has committed: no claim reads it back, and no other process is woken for it. A delivery the
// dispatcher has no room for, or whose rule is paused, is written unleased and claimed as usual.
//
// The lease is what keeps this safe: if the process dies before it records an outcome, the lease
// expires and any dispatcher claims the delivery again, as one it had claimed itself.
//
// The dispatcher's runtime (engine/runtime.ts) offers the port; the outbox uses it. Kept on
// globalThis: Next.js bundles the server in several chunks, each with its own modules.

/** What sending needs of a delivery's rule, as cached with the organization's rules (lib/outbox/organization-config.ts). */
export type RuleSending = Pick<
  Claimed,
  | "signatureScheme" | "timeoutMs" | "retryPolicy" | "authType" | "authConfigEncrypted" | "responseRules" | "timeWindow"
  | "signingSecretEncrypted" | "previousSecretEncrypted" | "previousSecretExpiresAt" | "chain"
>;

export interface HandoffPort {
  /** The dispatcher's lease owner. */
  readonly owner: string;
  readonly leaseMs: number;
  /** Takes a slot for a delivery of `ruleId` to `host` when one is free now; false: leave it to be claimed. */
  reserve(ruleId: string, host: string): boolean;
  /** Gives back a slot reserved for a delivery that is not handed after all (its write failed, or its rule is paused). */
  release(ruleId: string, host: string): void;
  /**
   * Starts deliveries a committed write leased to `owner` (each holds the slot reserved for it).
   * False when the dispatcher began stopping meanwhile: their slots and leases were given back
   * (so any dispatcher claims them at once), and the caller wakes the dispatchers for them.
   */
  start(deliveries: Claimed[]): Promise<boolean>;
}

const key = Symbol.for("leadhooks.handoff");
type G = typeof globalThis & { [key]?: HandoffPort | null };

/** Offers this process's dispatcher for hand-offs (null: no more). */
export function offerHandoffs(port: HandoffPort | null): void {
  (globalThis as G)[key] = port;
}

/** This process's dispatcher, when it takes hand-offs. */
export function handoffPort(): HandoffPort | null {
  return (globalThis as G)[key] ?? null;
}
