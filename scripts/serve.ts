// The production web server (`npm start` runs it once the database and the build are ready): one
// Node HTTP server in front of Next.js. Every request goes to Next.js except lead intake,
// `POST /api/v1/leads`, the one route that takes traffic at the rate leads arrive: it is handed to
// the very same route handler (app/api/v1/leads/route.ts, with its authentication, rate limit,
// validation and errors) without Next.js's routing and rendering around it, which cost several
// times the handler's own work per request. Both paths share the process's database, dispatcher
// and caches (they are kept on globalThis).
import { createServer } from "node:http";
import next from "next";
import { env } from "@/lib/core/env";
import { openedDatabase, sql } from "@/lib/db";
import { stopStartedDeliveryRole } from "@/lib/process/delivery-role";
import { startPresence } from "@/lib/process/presence";
import { checkSecretKey } from "@/lib/signing/secret-key-check";
import { intake } from "./intake";
import { listen, listensEverywhere, networkAddress, stopWithStart, tellStartListening } from "./listen";

const KEEP_ALIVE_MS = 65_000;
/** The longest a stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 60_000;
/** Where the server can be reached: this machine, and (listening on every interface) the network. */
function addresses(hostname: string | undefined, port: number): string[] {
  const everywhere = listensEverywhere(hostname);
  const lines = [`Local:   http://${everywhere ? "localhost" : hostname}:${port}`];
  const ip = everywhere ? networkAddress() : undefined;
  if (ip) lines.push(`Network: http://${ip}:${port}`);
  return lines;
}

async function main() {
  const port = Number(process.env.PORT || 3000);
  const hostname = process.env.HOSTNAME || undefined;
  // The database is opened now, not at the first request: on PGlite, another process holding its
  // data directory (a second npm start) stops this start here, before it says it is ready, instead
  // of every page failing after.
  await sql();
  // Seen by the secret-key commands until it stops, in every delivery mode (PostgreSQL; see
  // lib/process/presence.ts).
  const presence = startPresence("web", env().DATABASE_URL, sql);
  // npm start checked APP_SECRET_KEY before building, which takes minutes with no trace of this
  // process in the database: a key change could have committed since. Checked again once present
  // (a key change in progress holds that write until it commits). A row it could not write (a key
  // change held the table past the query timeout) leaves the check without that guarantee: refuse
  // to start instead.
  const refuse = async (err: unknown) => {
    await presence.stop();
    throw err;
  };
  await presence.ensureWritten().catch(refuse);
  if (await presence.written) await checkSecretKey(await sql(), env().APP_SECRET_KEY).catch(refuse);
  const app = next({ dev: false, hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((req, res) => {
    intake(req, res)
      .then((served) => (served ? undefined : handle(req, res)))
      .catch((err: unknown) => {
        // The handler answers every error itself; this is a failure to write the answer.
        console.error("server:", err instanceof Error ? err.message : err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "internal_error", message: "Something went wrong on our side." } }));
        else res.destroy();
      });
  });
  // Idle keep-alive connections stay open longer than clients and proxies keep theirs (Node's 5 s
  // default closes a socket just as a client reuses it: ECONNRESET on a good request).
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  await listen(server, port, hostname);
  for (const line of addresses(hostname, port)) console.log(line);
  tellStartListening(port);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Requests to endpoints end within their rule's timeout (30 s at most), the database's
    // statements within theirs; what still holds the stop after this is left to the leases.
    setTimeout(() => {
      console.error(`Leadhooks web server: not stopped within ${STOP_DEADLINE_MS / 1000} s; exiting, what it did not record is sent again once its lease expires`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    server.close(); // no new connection; requests under way on open ones are answered
    server.closeIdleConnections();
    void (async () => {
      await app.close();
      // Delivering inline: nothing new is claimed, the requests in flight are recorded (not sent
      // again once their lease expires), what was handed off and not started is given back.
      await stopStartedDeliveryRole(); // as Next.js started it (instrumentation.ts)
      await presence.stop(); // nothing left that could write a secret or deliver
      await (await openedDatabase())?.close();
    })().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`Leadhooks web server: stopping failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, stop);
  stopWithStart(stop);
}

main().catch((err: unknown) => {
  console.error(`Server start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
