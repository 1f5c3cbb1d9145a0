// `npm run db:migrate`: applies pending migrations to DATABASE_URL and exits.
import { openDatabase } from "@/lib/db";
import { applyLocalDefaults, EnvError, parseEnv } from "@/lib/core/env";

try {
  applyLocalDefaults();
  const env = parseEnv(process.env);
  const database = await openDatabase(env.DATABASE_URL, "db:migrate");
  console.log(database.applied.length ? `Applied: ${database.applied.join(", ")}` : "No pending migrations.");
  await database.close();
} catch (err) {
  console.error(err instanceof EnvError ? err.message : `Migration failed: ${(err as Error).message}`);
  process.exit(1);
}
