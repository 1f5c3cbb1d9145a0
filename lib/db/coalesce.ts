// Group commit for the hot path's inserts: concurrent insertAll calls of the same shape (the same
// statement text, so the same tables and columns, and the same guard) share one statement. Each
// lead event accepted through the API is one insert; under load most of a statement's cost is
// per statement (the round trip, executor start-up, the commit), not per row, so while a few of a
// shape are in flight the next ones wait and then go together, their rows concatenated per table.
//
// - A call that finds fewer than MAX_IN_FLIGHT of its shape running goes at once: no wait at low load.
// - Each caller's promise settles once the statement carrying its rows has committed (or failed).
// - A merged statement that fails for any reason but its guard is run again call by call, so one
//   bad call (a duplicate key, a value the database refuses) fails alone. A guard that does not
//   hold fails every call that shares it: they all named the same condition.
// - Only for handles shared by unrelated callers (the pool, the one PGlite): never for a transaction
//   a caller holds, and never for tables that skip duplicates (each caller's row counts must be
//   its own rows). insertAll merges only guarded calls (lead intake with a remembered API key), so a
//   shape is one organization's: another organization's locked row never holds up this one's.
//
// Kept on globalThis: Next.js bundles the server in several chunks, each with its own modules.

/** Most calls of one shape running at once. */
export const MAX_IN_FLIGHT = 2;
/** Most calls one statement carries. */
export const MAX_MERGED = 64;

interface Call {
  /** The call's rows per table, in the statement's table order. */
  rows: readonly (readonly unknown[])[];
  resolve(written: Written): void;
  reject(err: unknown): void;
}

interface Lane {
  inFlight: number;
  waiting: Call[];
  /** A drain is scheduled for the end of this turn of the event loop (Shape.atTurnEnd). */
  scheduled?: boolean;
}

/** What a statement wrote: how many rows each table got, and what it read after writing (the same for every call it carried). */
export interface Written {
  counts: number[];
  read?: unknown;
}

export interface Shape {
  /** Identifies the shape: same key, same statement text and guard. */
  key: string;
  /** Runs the statement for these rows per table. */
  run(rows: readonly (readonly unknown[])[]): Promise<Written>;
  /** Whether the error means the shared guard did not hold (every call fails with it). */
  sharedFailure(err: unknown): boolean;
  /**
   * Go at the end of the event loop's turn rather than at once, with every call of the shape made
   * in that turn (a database that runs each statement within the turn that issued it, PGlite:
   * no call would ever find another in flight to wait for).
   */
  atTurnEnd?: boolean;
}

const lanesKey = Symbol.for("leadhooks.insert-lanes");
type G = typeof globalThis & { [lanesKey]?: WeakMap<object, Map<string, Lane>> };

function lanesOf(handle: object): Map<string, Lane> {
  const g = globalThis as G;
  const all = (g[lanesKey] ??= new WeakMap());
  let lanes = all.get(handle);
  if (!lanes) all.set(handle, (lanes = new Map()));
  return lanes;
}

/** Runs `rows` (per table) as `shape`, sharing a statement with concurrent calls of the same shape on `handle`. */
export function coalesced(handle: object, shape: Shape, rows: readonly (readonly unknown[])[]): Promise<Written> {
  const lanes = lanesOf(handle);
  const lane = lanes.get(shape.key) ?? { inFlight: 0, waiting: [] };
  lanes.set(shape.key, lane);
  return new Promise<Written>((resolve, reject) => {
    lane.waiting.push({ rows, resolve, reject });
    if (!shape.atTurnEnd) drain(lanes, shape, lane);
    else if (!lane.scheduled) {
      lane.scheduled = true;
      setImmediate(() => {
        lane.scheduled = false;
        drain(lanes, shape, lane);
      });
    }
  });
}

function drain(lanes: Map<string, Lane>, shape: Shape, lane: Lane): void {
  while (lane.inFlight < MAX_IN_FLIGHT && lane.waiting.length) {
    const group = lane.waiting.splice(0, MAX_MERGED);
    lane.inFlight++;
    void runGroup(shape, group).finally(() => {
      lane.inFlight--;
      drain(lanes, shape, lane);
    });
  }
  if (!lane.inFlight && !lane.waiting.length && !lane.scheduled) lanes.delete(shape.key);
}

async function runGroup(shape: Shape, group: Call[]): Promise<void> {
  if (group.length === 1) {
    const [call] = group;
    await shape.run(call!.rows).then(call!.resolve, call!.reject);
    return;
  }
  const merged = group[0]!.rows.map((_, table) => group.flatMap((call) => call.rows[table]!));
  let read: unknown;
  try {
    ({ read } = await shape.run(merged));
  } catch (err) {
    if (shape.sharedFailure(err)) return group.forEach((call) => call.reject(err));
    // One call's rows may be what failed: each runs alone and gets its own answer.
    await Promise.all(group.map((call) => shape.run(call.rows).then(call.resolve, call.reject)));
    return;
  }
  for (const call of group) call.resolve({ counts: call.rows.map((r) => r.length), read });
}
