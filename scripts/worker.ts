// `npm run worker`: a delivery worker without Next.js (bundled and run by scripts/run.mjs: one
// process, so signals reach it directly). It opens the database, delivers what is due (woken by LISTEN/NOTIFY on
// PostgreSQL, with a slow fallback tick; every second on PGlite, as the web process does inline),
// and on SIGTERM or SIGINT stops claiming and listening, lets the batch being sent be recorded,
// closes the database and exits 0. On PostgreSQL any number run beside the web processes
// (DELIVERY_WORKERS=external); on PGlite it needs the data directory alone.
import { applyLocalDefaults, EnvError, parseEnv } from "@/lib/core/env";
import { databaseOptions, openDatabase, setDatabase } from "@/lib/db";
import { startDeliveryRole, stopDeliveryRole } from "@/lib/process/delivery-role";
import { startPresence } from "@/lib/process/presence";
import { checkSecretKey } from "@/lib/signing/secret-key-check";

/** The longest a stop may take before the worker exits anyway. */
const STOP_DEADLINE_MS = 60_000;

async function main() {
  applyLocalDefaults();
  const env = parseEnv(process.env);
  const database = await openDatabase(env.DATABASE_URL, "worker", databaseOptions(env));
  // Seen by the secret-key commands until it stops (PostgreSQL; lib/process/presence.ts). Written
  // before the key check: a key change in progress holds that write until it commits.
  const presence = startPresence("worker", env.DATABASE_URL, async () => database.sql);
  // A row it could not write (a key change held the table past the query timeout) leaves the
  // check without that guarantee: refuse to start instead. With another key than the web
  // process's, every delivery it claimed would fail: refuse instead.
  const refuse = async (err: unknown) => {
    await presence.stop();
    await database.close();
    throw err;
  };
  await presence.ensureWritten().catch(refuse);
  await checkSecretKey(database.sql, env.APP_SECRET_KEY).catch(refuse);
  setDatabase(database);
  startDeliveryRole("worker");
  console.log(`Delivery worker ${process.pid} started (${database.kind}${database.applied.length ? `, applied migrations: ${database.applied.join(", ")}` : ""}).`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`Delivery worker ${process.pid}: ${signal}, finishing the batch in flight…`);
    // Requests in flight end within their rule's timeout (30 s at most) and the database's
    // statements within theirs; whatever still holds the stop after STOP_DEADLINE_MS is left to
    // the leases (sent again once they expire, under the same webhook-id).
    setTimeout(() => {
      console.error(`Delivery worker ${process.pid}: not stopped within ${STOP_DEADLINE_MS / 1000} s; exiting, what it did not record is sent again once its lease expires`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    try {
      await stopDeliveryRole();
      await presence.stop(); // nothing left that could write a secret or deliver
      await database.close();
    } catch (err) {
      console.error(`Delivery worker ${process.pid}: stopping failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
    console.log(`Delivery worker ${process.pid} stopped.`);
    process.exit(0);
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void stop(signal));
}

main().catch((err: unknown) => {
  if (err instanceof EnvError) console.error(err.message);
  else console.error(`Worker start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
