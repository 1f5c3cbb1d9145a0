import pg from "pg";
import { endConnection } from "@/lib/db/driver";
import { PROCESS_WAKE_ID, reconnectDelayMs, WAKE_CHANNEL } from "../wake-signal";

// On PostgreSQL, a delivering process holds one dedicated connection that LISTENs on the wake-up
// channel, and calls `onWake` for every notification (wakeDispatcher in any process sends one
// after committing deliveries). When the connection drops it logs one line and connects again
// with a growing pause, and logs one more line once it listens again. Each time it starts listening it wakes the dispatcher once, for whatever
// was committed before (a worker that starts on a backlog begins at once).
//
// A connection can also go silent without closing (the server vanished behind a failover, a NAT
// or firewall dropped the idle flow): nothing then arrives, not even an error, and the process
// would wait for its fallback tick forever after. So the listener repeats its LISTEN every
// HEARTBEAT_MS (a no-op for the server, and the connection still shows as the listener in
// pg_stat_activity); no answer within HEARTBEAT_TIMEOUT_MS counts as the connection lost (its
// socket is destroyed: ending it politely would wait for the silent peer too).

export const HEARTBEAT_MS = 5_000;
export const HEARTBEAT_TIMEOUT_MS = 5_000;
/** How long making the listener's connection may take. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long close() waits for the server to confirm the end before it destroys the socket. */
const CLOSE_TIMEOUT_MS = 2_000;

export interface WakeListener {
  /** Stops listening and closes the connection; no reconnect follows. */
  close(): Promise<void>;
}

export function listenForWakeUps(url: string, onWake: () => void, log: (line: string) => void = console.error): WakeListener {
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let failures = 0;
  let closed = false;
  let heartbeat: NodeJS.Timeout | null = null;

  /** The connection `c` is gone: drop it and try again later (once, however many events report it). */
  const lost = (c: pg.Client, reason: string) => {
    if (closed || client !== c) return;
    client = null;
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
    void endConnection(c, 0);
    const delay = reconnectDelayMs(failures);
    if (failures === 0) log(`Delivery wake-up: not listening on PostgreSQL (${reason}); reconnecting with backoff, the fallback tick still delivers`);
    failures++;
    retry = setTimeout(connect, delay);
    retry.unref();
  };

  const connect = async () => {
    retry = null;
    // Connecting and LISTEN are bounded too: a host that vanished would hold a connect for
    // minutes, one that accepts and never answers for ever.
    const c = new pg.Client({ application_name: "leadhooks listener", connectionString: url, keepAlive: true, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: HEARTBEAT_TIMEOUT_MS });
    client = c;
    c.on("notification", (n) => {
      if (n.payload !== PROCESS_WAKE_ID) onWake(); // this process's own commits woke it directly
    });
    c.on("error", (err) => lost(c, err.message));
    c.on("end", () => lost(c, "connection closed"));
    try {
      await c.connect();
      await c.query(`LISTEN ${WAKE_CHANNEL}`);
    } catch (err) {
      lost(c, err instanceof Error ? err.message : String(err));
      return;
    }
    if (failures > 0) log("Delivery wake-up: listening on PostgreSQL again");
    failures = 0;
    let asking = false;
    heartbeat = setInterval(() => {
      if (asking) return;
      asking = true;
      c.query(`LISTEN ${WAKE_CHANNEL}`)
        .catch((err: unknown) => lost(c, `no answer to a heartbeat: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => (asking = false));
    }, HEARTBEAT_MS);
    heartbeat.unref();
    onWake(); // deliveries committed while this process was not listening yet
  };

  void connect();
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      if (heartbeat) clearInterval(heartbeat);
      const c = client;
      client = null;
      if (c) await endConnection(c, CLOSE_TIMEOUT_MS);
    },
  };
}
