import { INTERNAL_ERROR } from "@/lib/domain/attempt";
import type { HealthEntry } from "../policy/outcome";

// A circuit breaker per rule, counting in this process's memory (each process learns on its own).
// After `threshold` requests in a row unanswered or answered 5xx the rule is paused for `cooldownMs`: nothing of
// it is claimed (its due deliveries wait for the reopening, in their order, never dropped, never
// counted as attempts). Then one delivery is let through as a probe: a success resumes the rule, a failure
// pauses it again. The pipeline writes each pause to the rule's row (pause.ts), so every process's
// claim respects it and the admin and the API show it.

export interface BreakerSettings {
  threshold: number;
  cooldownMs: number;
}

// An open breaker's pause is `written` once the rule's row holds it (pause.ts): from then on, a row
// that no longer does means the pause was lifted there (the rule re-enabled, its health reset, in
// this process or another), and the breaker closes (`lift`) instead of holding the rule to its end.
type State = { kind: "closed"; failures: number } | { kind: "open"; until: number; written?: boolean } | { kind: "probing" };

/**
 * Classes of "no answer" that say nothing of the endpoint: our guard refused the address, our
 * settings, the OAuth token server, a fault of our own while sending.
 */
const NOT_THE_ENDPOINT = new Set<string>(["blocked", "config", "auth", INTERNAL_ERROR]);

/**
 * Whether an attempt counts against its endpoint: it went unanswered (timed out, the connection
 * was refused or reset, DNS, TLS, a broken HTTP answer), or the endpoint answered 5xx. A receiver
 * that refuses every connection counted as healthy before, and was sent every due delivery's every
 * attempt (a tester saw 2,987 requests for 600 leads).
 */
export function endpointFailed(h: Pick<HealthEntry, "statusCode" | "errorClass" | "outcome">): boolean {
  if (h.outcome === "CONFIG_ERROR" || h.statusCode === null) return false;
  if (h.errorClass) return !NOT_THE_ENDPOINT.has(h.errorClass);
  return h.statusCode >= 500 && h.statusCode <= 599;
}

export class Breakers {
  private readonly states = new Map<string, State>();

  constructor(readonly settings: BreakerSettings = { threshold: 5, cooldownMs: 30_000 }) {}

  /**
   * How many more requests a rule may start now (Infinity: no limit of the breaker's): 0 while it
   * is paused or its probe is in flight, 1 (the probe) once its pause is over.
   */
  room(ruleId: string, now: number): number {
    const s = this.states.get(ruleId);
    if (!s || s.kind === "closed") return Infinity;
    if (s.kind === "probing") return 0;
    return s.until <= now ? 1 : 0;
  }

  /** The rules the breaker holds back now, with their room (see `room`). */
  restricted(now: number): [ruleId: string, room: number][] {
    return [...this.states.keys()].flatMap((id) => {
      const room = this.room(id, now);
      return room === Infinity ? [] : [[id, room] as [string, number]];
    });
  }

  /** A request of the rule starts: once its pause is over, it is the probe. */
  started(ruleId: string, now: number): void {
    const s = this.states.get(ruleId);
    if (s?.kind === "open" && s.until <= now) this.states.set(ruleId, { kind: "probing" });
  }

  /** The rule's row now holds the pause that ends at `until` (a later pause of this rule's here is not it). */
  written(ruleId: string, until: number): void {
    const s = this.states.get(ruleId);
    if (s?.kind === "open" && s.until === until) this.states.set(ruleId, { ...s, written: true });
  }

  /** The pauses of this process's that its rules' rows hold and that still run: [ruleId, until]. */
  pausedHere(now: number): [ruleId: string, until: number][] {
    return [...this.states].flatMap(([id, s]) => (s.kind === "open" && s.written && s.until > now ? [[id, s.until] as [string, number]] : []));
  }

  /** The rule's row no longer holds its pause (lifted there): the breaker closes, and its deliveries go as any rule's. */
  lift(ruleId: string): void {
    if (this.states.get(ruleId)?.kind === "open") this.states.delete(ruleId);
  }

  /** When the rows were last asked whether a pause was lifted (the pipeline asks at most every LIFT_CHECK_MS). */
  liftCheckedAt = -Infinity;

  /** Whether the rule's probe is in flight (its result decides whether the rule resumes). */
  probing(ruleId: string): boolean {
    return this.states.get(ruleId)?.kind === "probing";
  }

  /** A request of the rule ended; returns the reopening time when this result pauses the rule. */
  ended(ruleId: string, failed: boolean, now: number): number | null {
    const s = this.states.get(ruleId) ?? { kind: "closed", failures: 0 };
    if (!failed) {
      this.states.delete(ruleId);
      return null;
    }
    if (s.kind === "open") return null; // sent before the pause began
    const failures = s.kind === "closed" ? s.failures + 1 : this.settings.threshold;
    if (failures < this.settings.threshold) {
      this.states.set(ruleId, { kind: "closed", failures });
      return null;
    }
    const until = now + this.settings.cooldownMs;
    this.states.set(ruleId, { kind: "open", until });
    return until;
  }
}
