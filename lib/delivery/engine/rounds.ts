import type { WakeReason } from "./pipeline";

// The process's dispatcher runs one run at a time; a run is a chain of rounds (each one pipeline
// that goes until it is idle). A wake-up while a run goes on asks it for one more round (and pokes
// the running round); a wake-up once it has made its last check starts a run of its own.

export interface RoundsOptions<S> {
  /** One round; `claimFirst`: whether it claims before anything wakes it. */
  round(claimFirst: boolean): Promise<S>;
  /** Work that asks for another round though no wake-up came (hand-offs waiting in the inbox). */
  pending(): boolean;
  /** No further round, and no new run (the process is stopping). */
  stopping(): boolean;
  /** Tells the running round of a wake-up. */
  poke(why: WakeReason): void;
  /** Called before a run starts (nothing of this dispatcher's runs then). */
  beforeRun?(): void;
  /** The run's total, and adding a round's result into it. */
  empty(): S;
  add(total: S, round: S): void;
  /** A run that failed left pending work: what starts another (after the failure is reported). */
  restart(): void;
}

export class Rounds<S> {
  #running: Promise<S> | null = null;
  #again = false;
  /** A wake-up that came during the round said deliveries are due (not only handed): the next round claims first. */
  #againDue = false;

  constructor(private readonly opts: RoundsOptions<S>) {}

  /** The run going on, if any. */
  get running(): Promise<S> | null {
    return this.#running;
  }

  /**
   * Starts a run, or asks the running one for another round. `why` "handed": only the inbox
   * filled, so a run it starts does not claim first.
   */
  request(why: WakeReason): Promise<S> {
    const { opts } = this;
    if (opts.stopping()) return this.#running ?? Promise.resolve(opts.empty());
    if (this.#running) {
      this.#again = true;
      this.#againDue ||= why !== "handed";
      opts.poke(why);
      return this.#running;
    }
    opts.beforeRun?.();
    this.#running = this.#run(why !== "handed");
    return this.#running;
  }

  async #run(claimFirst: boolean): Promise<S> {
    const { opts } = this;
    const total = opts.empty();
    let ended = false;
    try {
      await undefined; // #running is set before anything below can end the run
      for (;;) {
        this.#again = false;
        this.#againDue = false;
        opts.add(total, await opts.round(claimFirst));
        claimFirst = this.#againDue;
        if (opts.stopping() || !(this.#again || opts.pending())) {
          // In the same step as the last look: from here on a wake-up starts a run of its own.
          // (Cleared a microtask later, a wake-up in between was told to a run that had ended.)
          this.#running = null;
          ended = true;
          return total;
        }
      }
    } finally {
      if (!ended) {
        this.#running = null;
        // A failed run: the ticker or the cron route tries again; hand-offs waiting in the inbox
        // get a run of their own (when stopping, stopDispatcher gives them back).
        if (!opts.stopping() && opts.pending()) queueMicrotask(() => opts.restart());
      }
    }
  }
}
