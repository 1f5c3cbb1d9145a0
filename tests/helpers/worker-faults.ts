// Helpers for tests/integration/worker-faults.postgres.test.ts: a receiver that keeps a ledger of
// arrivals (by webhook-id and by event and rule) and can hang, a TCP proxy in front of PostgreSQL
// whose open connections can be frozen (a network partition or a failover that leaves no RST),
// and small PostgreSQL probes (terminate a database's backends, see who LISTENs).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import net, { type AddressInfo } from "node:net";
import pg from "pg";

/** The application_name of the test process's own connections: never terminated by the faults. */
export const TEST_APP = "faults-test";

export function withApplicationName(url: string, name = TEST_APP): string {
  const u = new URL(url);
  u.searchParams.set("application_name", name);
  return u.toString();
}

export interface Arrival {
  path: string;
  webhookId: string;
  eventId: string;
  leadId: string;
  at: number;
}

export type Mode = { kind: "answer"; status?: number; delayMs?: number } | { kind: "hang" };

/**
 * A loopback receiver: records every request (path, webhook-id, event id from the envelope) with its
 * arrival time; `mode(path)` decides per request whether it is answered (after a delay) or left
 * hanging (never answered; its socket is destroyed by close()).
 */
export async function startLedgerReceiver(mode: (path: string) => Mode = () => ({ kind: "answer" })) {
  const arrivals: Arrival[] = [];
  const hanging = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      let eventId = "";
      let leadId = "";
      try {
        const parsed = JSON.parse(body) as { id?: string; data?: { lead?: { id?: string } } };
        eventId = String(parsed.id ?? "");
        leadId = String(parsed.data?.lead?.id ?? "");
      } catch {
        /* not an envelope */
      }
      const path = req.url ?? "/";
      arrivals.push({ path, webhookId: String(req.headers["webhook-id"] ?? ""), eventId, leadId, at: Date.now() });
      const m = mode(path);
      if (m.kind === "hang") {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) res.writeHead(m.status ?? 200).end("ok");
      }, m.delayMs ?? 0);
      timers.add(t);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    arrivals,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export interface DeliveryRow {
  id: string;
  eventId: string;
  ruleId: string;
  state: string;
  attemptCount: number;
  leaseOwner: string | null;
  lastStatusCode: number | null;
  attempts: number[];
}

/** Every delivery of the database with the numbers of its attempts. */
export async function deliveryRows(client: pg.Client | pg.Pool): Promise<DeliveryRow[]> {
  const { rows } = await client.query<DeliveryRow>(
    `SELECT d.id, d."eventId", d."ruleId", d.state::text AS state, d."attemptCount", d."leaseOwner", d."lastStatusCode",
            COALESCE((SELECT array_agg(a.number ORDER BY a.number) FROM "DeliveryAttempt" a WHERE a."deliveryId" = d.id), '{}') AS attempts
     FROM "Delivery" d ORDER BY d."createdAt", d.id`,
  );
  return rows;
}

export interface LedgerCheck {
  /** Deliveries (event and rule) no request reached. */
  missing: string[];
  /** webhook-ids received more than once, with how often. */
  repeated: Map<string, number>;
  /** An event and rule reached under more than one webhook-id, or under one that is not its delivery's id. */
  doubled: string[];
  /** Arrivals whose webhook-id is no delivery of the database. */
  unexpected: Arrival[];
}

/** Checks arrivals against the deliveries: `pathOf(ruleId)` is the path that rule posts to. */
export function checkLedger(rows: readonly DeliveryRow[], arrivals: readonly Arrival[], pathOf: (ruleId: string) => string | undefined): LedgerCheck {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byPair = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  const unexpected: Arrival[] = [];
  for (const a of arrivals) {
    counts.set(a.webhookId, (counts.get(a.webhookId) ?? 0) + 1);
    if (!byId.has(a.webhookId)) unexpected.push(a);
    const key = `${a.eventId} ${a.path}`;
    const set = byPair.get(key) ?? new Set<string>();
    set.add(a.webhookId);
    byPair.set(key, set);
  }
  const missing: string[] = [];
  const doubled: string[] = [];
  for (const r of rows) {
    const path = pathOf(r.ruleId);
    if (path === undefined) continue;
    const ids = byPair.get(`${r.eventId} ${path}`);
    if (!ids) missing.push(`${r.id} (event ${r.eventId} → ${path}, ${r.state}, attempts ${r.attemptCount}, lease ${r.leaseOwner})`);
    else if (ids.size > 1 || !ids.has(r.id)) doubled.push(`event ${r.eventId} → ${path}: ${[...ids].join(", ")} (delivery ${r.id})`);
  }
  const repeated = new Map([...counts].filter(([, n]) => n > 1));
  return { missing, repeated, doubled, unexpected };
}

/** Terminates every backend of `database` except the caller's and the test process's own (TEST_APP); returns how many. */
export async function terminateWorkerBackends(admin: pg.Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
     WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM $2 AND backend_type = 'client backend'`,
    [database, TEST_APP],
  );
  return rows.filter((r) => r.ok).length;
}

/** Connections to `database` (not the test's) whose last statement was a LISTEN: a delivering process's wake-up listener. */
export async function listeners(admin: pg.Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = $1 AND application_name IS DISTINCT FROM $2 AND query ILIKE 'LISTEN %'`,
    [database, TEST_APP],
  );
  return rows[0]!.n;
}

/** What the connections to `database` (not the test's) are doing, for failure messages. */
export async function activity(admin: pg.Client, database: string): Promise<string> {
  const { rows } = await admin.query<{ pid: number; state: string; wait: string | null; query: string }>(
    `SELECT pid, state, wait_event AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 80) AS query FROM pg_stat_activity
     WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM $2`,
    [database, TEST_APP],
  );
  return rows.map((r) => `${r.pid} ${r.state} ${r.wait ?? ""} ${r.query}`).join("\n");
}

/**
 * A TCP proxy to PostgreSQL. freeze() stops forwarding on every connection open now, in both
 * directions, without closing any (as when the database host vanishes behind a failover, or a
 * firewall drops a flow silently: no RST, no FIN); connections opened afterwards are forwarded.
 */
export async function startTcpProxy(targetHost: string, targetPort: number) {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const frozen: net.Socket[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    /** How many connections are forwarded (not frozen) now. */
    open: () => pairs.size,
    freeze(): number {
      const n = pairs.size;
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.removeAllListeners("data");
        upstream.removeAllListeners("data");
        client.pause();
        upstream.pause();
        client.removeAllListeners("close");
        upstream.removeAllListeners("close");
        client.on("error", () => {});
        upstream.on("error", () => {});
        frozen.push(client, upstream);
      }
      pairs.clear();
      return n;
    },
    close: async () => {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      for (const s of frozen) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
