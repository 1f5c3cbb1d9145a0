// `npm run worker`: a delivery worker without Next.js (bundled and run by scripts/run.mjs: one
// process, so signals reach it directly). It opens the database, delivers what is due (woken by LISTEN/NOTIFY on
// PostgreSQL, with a slow fallback tick; every second on PGlite, as the web process does inline),
// and on SIGTERM or SIGINT stops claiming and listening, lets the batch being sent be recorded,
// closes the database and exits 0. On PostgreSQL any number run beside the web processes
// (DELIVERY_WORKERS=external); on PGlite it needs the data directory alone.
import { applyLocalDefaults, EnvError, parseEnv } from "@/lib/core/env";
import { databaseOptions, openDatabase, setDatabase } from "@/lib/db";
import { startDeliveryRole, stopDeliveryRole } from "@/lib/process/delivery-role";

async function main() {
  applyLocalDefaults();
  const env = parseEnv(process.env);
  const database = await openDatabase(env.DATABASE_URL, "worker", databaseOptions(env));
  setDatabase(database);
  startDeliveryRole("worker");
  console.log(`Delivery worker ${process.pid} started (${database.kind}${database.applied.length ? `, applied migrations: ${database.applied.join(", ")}` : ""}).`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`Delivery worker ${process.pid}: ${signal}, finishing the batch in flight…`);
    try {
      await stopDeliveryRole();
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
