// The benchmark's ledger: which deliveries each accepted event owes, and which reached the
// receiver. No I/O: the benchmark and its test feed it.
//
// At-least-once delivery allows a re-send with the same webhook-id only after an answer was lost.
// In the benchmark every receiver answers, except an "unanswered" rule (an endpoint that never
// answers): so a webhook-id that arrives twice at an answered rule, or two webhook-ids for one
// event and rule, is a defect. An unanswered rule's deliveries may repeat, and are not required to
// arrive within the phase (the engine may pause such an endpoint; paused deliveries wait).

export interface Arrival {
  webhookId: string;
  leadId: string;
  /** The rule's key: the path its URL points at on the receiver. */
  rule: string;
  /** performance.now() when the request reached the receiver. */
  at: number;
}

export interface LedgerReport {
  /** Deliveries owed: one per accepted event and answered rule. */
  expected: number;
  delivered: number;
  missing: { leadId: string; rule: string }[];
  /** A webhook-id received more than once at an answered rule. */
  repeated: { webhookId: string; leadId: string; rule: string; count: number }[];
  /** One event and rule reached by more than one webhook-id. */
  doubled: { leadId: string; rule: string; webhookIds: string[] }[];
  /** Deliveries for an event the API never accepted, or for a rule that event does not owe. */
  unexpected: Arrival[];
  /** True when nothing is missing, repeated, doubled or unexpected. */
  holds: boolean;
}

const pairKey = (leadId: string, rule: string) => `${leadId} ${rule}`;

/** The arrival a receiver saw, or null for a request that is not a delivery (no webhook-id). */
export function arrivalOf(request: { path: string; webhookId: string | undefined; body: string; at: number }): Arrival | null {
  if (!request.webhookId) return null;
  let leadId = "";
  try {
    leadId = String((JSON.parse(request.body) as { data?: { lead?: { id?: unknown } } }).data?.lead?.id ?? "");
  } catch {
    /* not the envelope: counted as unexpected */
  }
  return { webhookId: request.webhookId, leadId, rule: request.path, at: request.at };
}

export class Ledger {
  private readonly accepted = new Map<string, { rules: string[]; at: number }>();
  private readonly byWebhookId = new Map<string, { arrival: Arrival; count: number }>();
  private readonly byPair = new Map<string, Arrival[]>();
  private readonly unanswered: Set<string>;
  private owed = 0;
  private arrivedOwed = 0;

  /** `unansweredRules`: rules whose endpoint never answers (see the header). */
  constructor(unansweredRules: string[] = []) {
    this.unanswered = new Set(unansweredRules);
  }

  /** Records an event the API accepted (201) and the rules it must reach. */
  accept(leadId: string, rules: string[], at: number): void {
    this.accepted.set(leadId, { rules, at });
    for (const rule of rules) {
      if (this.unanswered.has(rule)) continue;
      this.owed++;
      if (this.byPair.has(pairKey(leadId, rule))) this.arrivedOwed++;
    }
  }

  /** Records a request the receiver got (it may come before its event's 201 is read). */
  receive(a: Arrival): void {
    const seen = this.byWebhookId.get(a.webhookId);
    if (seen) seen.count++;
    else this.byWebhookId.set(a.webhookId, { arrival: a, count: 1 });
    const key = pairKey(a.leadId, a.rule);
    const list = this.byPair.get(key);
    if (list) {
      list.push(a);
      return;
    }
    this.byPair.set(key, [a]);
    if (!this.unanswered.has(a.rule) && this.accepted.get(a.leadId)?.rules.includes(a.rule)) this.arrivedOwed++;
  }

  /** Deliveries owed that have not arrived yet. */
  outstanding(): number {
    return this.owed - this.arrivedOwed;
  }

  acceptedAt(leadId: string): number | undefined {
    return this.accepted.get(leadId)?.at;
  }

  /** When the first request for this event and rule arrived. */
  firstArrival(leadId: string, rule: string): number | undefined {
    return this.byPair.get(pairKey(leadId, rule))?.[0]?.at;
  }

  /** How many of the accepted events reached `rule` at least once. */
  reached(rule: string): number {
    let n = 0;
    for (const [leadId, { rules }] of this.accepted) if (rules.includes(rule) && this.byPair.has(pairKey(leadId, rule))) n++;
    return n;
  }

  report(): LedgerReport {
    const missing: LedgerReport["missing"] = [];
    for (const [leadId, { rules }] of this.accepted) {
      for (const rule of rules) if (!this.unanswered.has(rule) && !this.byPair.has(pairKey(leadId, rule))) missing.push({ leadId, rule });
    }
    const repeated: LedgerReport["repeated"] = [];
    for (const [webhookId, { arrival, count }] of this.byWebhookId) {
      if (count > 1 && !this.unanswered.has(arrival.rule)) repeated.push({ webhookId, leadId: arrival.leadId, rule: arrival.rule, count });
    }
    const doubled: LedgerReport["doubled"] = [];
    const unexpected: Arrival[] = [];
    for (const arrivals of this.byPair.values()) {
      const { leadId, rule } = arrivals[0]!;
      if (!this.accepted.get(leadId)?.rules.includes(rule)) {
        unexpected.push(...arrivals);
        continue;
      }
      const ids = [...new Set(arrivals.map((a) => a.webhookId))];
      if (ids.length > 1) doubled.push({ leadId, rule, webhookIds: ids });
    }
    return {
      expected: this.owed,
      delivered: this.arrivedOwed,
      missing,
      repeated,
      doubled,
      unexpected,
      holds: !missing.length && !repeated.length && !doubled.length && !unexpected.length,
    };
  }
}

/** What a report found wrong, a line each (at most `limit` of each kind). */
export function describeDefects(r: LedgerReport, limit = 10): string[] {
  const lines: string[] = [];
  const some = <T>(label: string, xs: T[], show: (x: T) => string) => {
    if (!xs.length) return;
    lines.push(`${label}: ${xs.length}`);
    for (const x of xs.slice(0, limit)) lines.push(`  ${show(x)}`);
    if (xs.length > limit) lines.push(`  … and ${xs.length - limit} more`);
  };
  some("missing deliveries (accepted event, no request at the rule)", r.missing, (m) => `lead ${m.leadId} → ${m.rule}`);
  some("webhook-ids received more than once", r.repeated, (d) => `${d.webhookId} (lead ${d.leadId} → ${d.rule}) × ${d.count}`);
  some("events reaching a rule under several webhook-ids", r.doubled, (d) => `lead ${d.leadId} → ${d.rule}: ${d.webhookIds.join(", ")}`);
  some("deliveries nobody owed (event not accepted, or rule not matching)", r.unexpected, (u) => `${u.webhookId} (lead ${u.leadId || "?"} → ${u.rule})`);
  return lines;
}
