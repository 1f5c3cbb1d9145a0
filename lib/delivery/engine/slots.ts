// The pipeline's requests in flight, counted overall, per rule and per destination host, so that
// one endpoint never takes the whole pool. Claiming asks what is free; the claim query skips what
// is at its limit (a delivery over a limit stays PENDING and unclaimed).

export interface SlotLimits {
  /** Requests in flight at once, in all. */
  total: number;
  /** Requests in flight at once to one rule. */
  perRule: number;
  /** Requests in flight at once to one destination host (host:port). */
  perHost: number;
}

/** What the claim query needs: how many slots are free, and who is already busy and how much. */
export interface Busy {
  free: number;
  rules: Record<string, number>;
  hosts: Record<string, number>;
}

export class Slots {
  private readonly rules = new Map<string, number>();
  private readonly hosts = new Map<string, number>();
  private used = 0;
  /** Slots freed since the pipeline last reset this (before a claim). */
  released = 0;
  /**
   * Set by the pipeline while due deliveries may be waiting for a slot, of any rule (in the
   * database, or claimed and waiting here): no new delivery is then handed off ahead of them.
   */
  backlog = false;
  /**
   * Rules and hosts whose due deliveries may be waiting in the database because the last claim
   * stopped at their limit (the claim found every other rule's): only their new deliveries wait.
   */
  waiting: { rules: ReadonlySet<string>; hosts: ReadonlySet<string> } = { rules: new Set(), hosts: new Set() };

  constructor(readonly limits: SlotLimits) {}

  get inFlight(): number {
    return this.used;
  }

  /** Whether due deliveries of `ruleId` or to `host` may be waiting, so that a new one handed off would go ahead of them. */
  behind(ruleId: string, host: string): boolean {
    return this.backlog || this.waiting.rules.has(ruleId) || this.waiting.hosts.has(host);
  }

  /** Carries what the last run left waiting over to a new count of slots (the limits changed while nothing was in flight). */
  carryOver(from: Slots): this {
    this.backlog = from.backlog;
    this.waiting = from.waiting;
    return this;
  }

  /** Whether one more request of `ruleId` to `host` is within every limit now. */
  fits(ruleId: string, host: string): boolean {
    return this.used < this.limits.total && (this.rules.get(ruleId) ?? 0) < this.limits.perRule && (this.hosts.get(host) ?? 0) < this.limits.perHost;
  }

  take(ruleId: string, host: string): void {
    this.used++;
    bump(this.rules, ruleId, 1);
    bump(this.hosts, host, 1);
  }

  release(ruleId: string, host: string): void {
    this.used--;
    this.released++;
    bump(this.rules, ruleId, -1);
    bump(this.hosts, host, -1);
  }

  busy(): Busy {
    return { free: Math.max(0, this.limits.total - this.used), rules: Object.fromEntries(this.rules), hosts: Object.fromEntries(this.hosts) };
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
