import pg from "pg";
import { PROCESS_WAKE_ID, reconnectDelayMs, WAKE_CHANNEL } from "../wake-signal";

// On PostgreSQL, a delivering process holds one dedicated connection that LISTENs on the wake-up
// channel, and calls `onWake` for every notification (wakeDispatcher in any process sends one
// after committing deliveries). When the connection drops it logs one line and connects again
// with a growing pause. Each time it starts listening it wakes the dispatcher once, for whatever
// was committed before (a worker that starts on a backlog begins at once).

export interface WakeListener {
  /** Stops listening and closes the connection; no reconnect follows. */
  close(): Promise<void>;
}

export function listenForWakeUps(url: string, onWake: () => void, log: (line: string) => void = console.error): WakeListener {
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let failures = 0;
  let closed = false;

  /** The connection `c` is gone: drop it and try again later (once, however many events report it). */
  const lost = (c: pg.Client, reason: string) => {
    if (closed || client !== c) return;
    client = null;
    c.end().catch(() => {});
    const delay = reconnectDelayMs(failures);
    if (failures === 0) log(`Delivery wake-up: not listening on PostgreSQL (${reason}); reconnecting with backoff, the fallback tick still delivers`);
    failures++;
    retry = setTimeout(connect, delay);
    retry.unref();
  };

  const connect = async () => {
    retry = null;
    const c = new pg.Client({ connectionString: url, keepAlive: true });
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
    failures = 0;
    onWake(); // deliveries committed while this process was not listening yet
  };

  void connect();
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
