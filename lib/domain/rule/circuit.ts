// A rule's circuit breaker as the admin and the API see it. The engine pauses a rule after
// repeated requests unanswered or answered 5xx (WebhookRule.pausedUntil / pauseReason); the circuit is open
// while that time is ahead, and closed otherwise (a pause that has run out is over, whether or
// not its probe has gone yet).

export interface Circuit {
  state: "closed" | "open";
  /** While open: when the probe request may go (ISO 8601, UTC); null while closed. */
  pausedUntil: string | null;
  /** While open: why the rule is paused; null while closed. */
  reason: string | null;
}

/** The rule's pause while it lasts: until when and why. */
export interface Pause {
  until: Date;
  reason: string | null;
}

type PauseColumns = { pausedUntil: Date | null; pauseReason: string | null };

/** The rule's pause, or null when there is none or it has run out. */
export function pauseOf(rule: PauseColumns, now: Date): Pause | null {
  return rule.pausedUntil && rule.pausedUntil > now ? { until: rule.pausedUntil, reason: rule.pauseReason } : null;
}

export function circuitOf(rule: PauseColumns, now: Date): Circuit {
  const pause = pauseOf(rule, now);
  return pause ? { state: "open", pausedUntil: pause.until.toISOString(), reason: pause.reason } : { state: "closed", pausedUntil: null, reason: null };
}

/**
 * Why the engine paused a rule, in a sentence: after `threshold` failures in a row, or because
 * the probe sent after a pause failed too.
 */
export function pauseReason(cause: { threshold: number } | "probe", until: Date): string {
  const at = `${until.toISOString().slice(11, 19)} UTC`;
  return cause === "probe"
    ? `The probe request also went unanswered or answered 5xx; the next probe goes out at ${at}`
    : `${cause.threshold} requests in a row unanswered or answered 5xx; a probe request goes out at ${at}`;
}

/**
 * When a delivery will next be attempted, as the admin and the API show it: its own due time, or,
 * while its rule is paused, the pause's end when that is later. A pause leaves the deliveries' due
 * times as they are (so they keep their order), and no delivery of a paused rule is claimed.
 */
export function nextAttemptOf(d: { state: string; nextAttemptAt: Date | null }, rule: { pausedUntil: Date | null }, now: Date): Date | null {
  if (d.state !== "PENDING" || !d.nextAttemptAt || !rule.pausedUntil || rule.pausedUntil <= now) return d.nextAttemptAt;
  return d.nextAttemptAt > rule.pausedUntil ? d.nextAttemptAt : rule.pausedUntil;
}
