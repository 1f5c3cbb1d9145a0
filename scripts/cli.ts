// `npm run cli -- <command>`. On PGlite the CLI refuses while the server holds the data directory
// (see lib/db/lock.ts); on PostgreSQL it runs beside the servers.
import { parseArgs } from "node:util";
import { createApiKey } from "@/lib/api/keys";
import { openDatabase } from "@/lib/db";
import { applyLocalDefaults, EnvError, parseEnv } from "@/lib/core/env";

const USAGE = `Usage:
  npm run cli -- api-key create --name NAME [--org SLUG]   create an API key (printed alone on the last line)
  npm run cli -- org list                                   list organizations and their slugs`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { name: { type: "string" }, org: { type: "string" }, help: { type: "boolean", short: "h" } } });
  const command = positionals.join(" ");
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (command !== "api-key create" && command !== "org list") {
    console.error(`Unknown command "${command}".\n${USAGE}`);
    return 2;
  }
  if (command === "api-key create" && !values.name?.trim()) {
    console.error("api-key create needs --name NAME");
    return 2;
  }
  applyLocalDefaults();
  const env = parseEnv(process.env);
  const database = await openDatabase(env.DATABASE_URL, "cli");
  try {
    const orgs = await database.prisma.organization.findMany({ orderBy: { createdAt: "asc" }, select: { id: true, slug: true, name: true } });
    if (command === "org list") {
      for (const o of orgs) console.log(`${o.slug}\t${o.name}`);
      return 0;
    }
    const org = values.org ? orgs.find((o) => o.slug === values.org) : orgs.length === 1 ? orgs[0] : undefined;
    if (!org) {
      console.error(
        orgs.length === 0
          ? "No organization exists yet: run the app and complete /setup first (or set ADMIN_EMAIL and ADMIN_PASSWORD)."
          : values.org
            ? `No organization with slug "${values.org}". Known: ${orgs.map((o) => o.slug).join(", ")}`
            : `Several organizations exist; choose one with --org SLUG (${orgs.map((o) => o.slug).join(", ")})`,
      );
      return 1;
    }
    const { key, record } = await createApiKey(database.prisma, org.id, values.name!.trim());
    console.log(`Created API key "${record.name}" (${record.prefix}…) for ${org.name} [${org.slug}]. It is shown once; store it now.`);
    console.log(key);
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof EnvError ? err.message : `Error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
