import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Random bytes are drawn from the system a pool at a time (ids are made for every attempt, event
// and delivery: one system call per id showed in the engine's profile), each byte used once.
const pool = Buffer.alloc(4096);
let next = pool.length;

function randomByte(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]!;
}

/** Random base62 string; rejection sampling keeps every character equally likely. */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

// An id sorts by when it was made: 9 base-36 characters of milliseconds since the epoch, then 3
// of a count within the millisecond (so ids this process makes in one millisecond keep their
// order), then 10 random base-62 characters (about 60 bits: processes making ids in the same
// millisecond never meet). Lists ordered by a timestamp and then by id (leads, events) show rows
// written in the same millisecond in the order they were made, and indexes on ids grow at one end
// instead of everywhere. Digits and lower-case letters sort alike in every collation; the random
// tail only breaks ties between processes.
const TIME_DIGITS = 9;
const COUNT_DIGITS = 3;
const COUNT_LIMIT = 36 ** COUNT_DIGITS;
// On globalThis: Next.js bundles the server in several chunks, each with its own copy of this module.
const clock: { lastMs: number; count: number } = ((globalThis as { [k: symbol]: { lastMs: number; count: number } })[Symbol.for("leadhooks.id-clock")] ??= { lastMs: 0, count: 0 });

/** The time-and-count part of the next id: never smaller than the last one, even when the clock steps back. */
function orderedPrefix(): string {
  const now = Date.now();
  if (now > clock.lastMs) {
    clock.lastMs = now;
    clock.count = 0;
  } else if (++clock.count === COUNT_LIMIT) {
    clock.lastMs++; // more ids in one millisecond than the count holds: borrow the next one
    clock.count = 0;
  }
  return clock.lastMs.toString(36).padStart(TIME_DIGITS, "0") + clock.count.toString(36).padStart(COUNT_DIGITS, "0");
}

/** Unique id with a readable prefix that sorts by when it was made, e.g. `rule_mfx3k2a1c000Hq…`. */
export function newId(prefix: string): string {
  return `${prefix}_${orderedPrefix()}${randomBase62(22 - TIME_DIGITS - COUNT_DIGITS)}`;
}
