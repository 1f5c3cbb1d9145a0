// The load: lead events posted through the REST API (every 201 goes into the ledger with the rules
// the event must reach), closed-loop or at a fixed rate; and the raw undici rate to a receiver.
import { Pool } from "undici";
import type { Ledger } from "./ledger";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `done` every 20 ms; false when `limitMs` passed first. */
export async function waitUntil(done: () => boolean, limitMs: number): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > until) return false;
    await sleep(20);
  }
  return true;
}

export class LeadPoster {
  private readonly pool: Pool;
  private seq = 0;
  /** Answers other than 201 (the event is not in the ledger; the first few are printed). */
  rejected = 0;

  constructor(
    baseUrl: string,
    private readonly key: string,
    private readonly ledger: Ledger,
    private readonly rules: string[],
  ) {
    this.pool = new Pool(baseUrl, { connections: 32 });
  }

  /** Posts one lead; resolves with its id once accepted, or null. */
  async post(): Promise<string | null> {
    const n = this.seq++;
    const res = await this.pool.request({
      path: "/api/v1/leads",
      method: "POST",
      headers: { authorization: `Bearer ${this.key}`, "content-type": "application/json" },
      body: JSON.stringify({ email: `lead${n}@example.test`, firstName: "Bench", lastName: `Lead ${n}`, phone: "+1 555 0100", customFields: { n } }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 201) {
      if (this.rejected++ < 3) console.error(`  POST /api/v1/leads → ${res.statusCode}: ${text.slice(0, 200)}`);
      return null;
    }
    const id = (JSON.parse(text) as { id: string }).id;
    this.ledger.accept(id, this.rules, performance.now());
    return id;
  }

  /** Posts `count` leads from `concurrency` clients as fast as they are answered. */
  async closedLoop(count: number, concurrency = 32): Promise<string[]> {
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < count) {
          const id = await this.post();
          if (id) ids.push(id);
        }
      }),
    );
    return ids;
  }

  /** Offers `rate` leads a second for `seconds`, whatever the answers' pace. */
  async openLoop(rate: number, seconds: number): Promise<string[]> {
    const start = performance.now();
    const posts: Promise<string | null>[] = [];
    for (let i = 0; i < rate * seconds; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      posts.push(this.post());
    }
    return (await Promise.all(posts)).filter((id): id is string => id !== null);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Requests/s that 64 undici connections get from the receiver for `seconds` (no ledger). */
export async function rawRate(receiverUrl: string, seconds: number): Promise<number> {
  const raw = new Pool(receiverUrl, { connections: 64 });
  const body = JSON.stringify({ type: "lead.created", data: { lead: { email: "x@example.test" } } });
  let count = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < until) {
        const r = await raw.request({ path: "/raw", method: "POST", headers: { "content-type": "application/json" }, body });
        await r.body.dump();
        count++;
      }
    }),
  );
  await raw.close();
  return count / seconds;
}
