import type { Sql, TableRows } from "@/lib/db/sql";
import type { ChainLink } from "../policy/chain";

// Passing the lead on to fallback and linked rules (policy/chain.ts decides when). The outbox
// renders the chained deliveries and the recorder writes them in the same statement as the
// outcomes that passed the lead on, so a process that stops between the two never loses it. The
// engine does not import the outbox: lib/process/delivery-role.ts wires it here, in each process.
// Kept on globalThis: Next.js bundles the server in several chunks, each with its own modules.

export interface ChainWriter {
  /** The chained deliveries' rows, rendered for their rules (null: nothing to write). */
  prepare(sql: Sql, links: readonly ChainLink[], now: Date): Promise<TableRows | null>;
  /** Called once they are committed: the dispatchers are woken. */
  written(): void;
}

const key = Symbol.for("leadhooks.chain-writer");
type G = typeof globalThis & { [key]?: ChainWriter };

/** Sets what renders chained deliveries from now on. */
export function chainDeliveriesWith(writer: ChainWriter): void {
  (globalThis as G)[key] = writer;
}

/** The wired writer; a process that records chaining outcomes without one fails the group (its leases expire and it is recorded again once wired). */
export function chainWriter(): ChainWriter {
  const writer = (globalThis as G)[key];
  if (!writer) throw new Error("Chained deliveries cannot be written: no chain writer is wired in this process");
  return writer;
}
