// `npm run cli -- <command>`. On PGlite the CLI refuses while the server holds the data directory
// (see lib/db/lock.ts); on PostgreSQL it runs beside the servers.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createApiKey } from "@/lib/api/keys";
import { openDatabase, type Database } from "@/lib/db";
import { applyLocalDefaults, EnvError, parseEnv } from "@/lib/core/env";
import { printable } from "@/lib/core/printable";
import { describeProcess, holdPresence, PRESENCE_STALE_MS, presentProcesses, type PresentProcess } from "@/lib/process/presence";
import { changeSecretKey, KeyChangeError, recoverLostSecretKey, type KeyChangeGuard, type KeyChangeReport, type LostKeyReport, type RuleRef } from "@/lib/signing/secret-key-change";

const USAGE = `Usage:
  npm run cli -- api-key create --name NAME [--org SLUG]   create an API key (printed alone on the last line)
  npm run cli -- org list                                   list organizations and their slugs
  npm run cli -- secret-key rotate [--force]                re-encrypt every stored secret from OLD_APP_SECRET_KEY
                                                            to APP_SECRET_KEY (stop every process first)
  npm run cli -- secret-key recover [--yes] [--force]       APP_SECRET_KEY was lost: say what makes this database
                                                            work with the APP_SECRET_KEY given; --yes does it
  (secret-key: both keys must be set in the environment; on PostgreSQL they refuse while Leadhooks
  processes run on the database or other clients are connected to it, unless --force)`;

const COMMANDS = ["api-key create", "org list", "secret-key rotate", "secret-key recover"];

const rules = (refs: RuleRef[]) => refs.map((r) => `    ${printable(r.organization)}: "${printable(r.title)}" (${r.id})`);

function rotationLines(r: KeyChangeReport): string[] {
  const { signingKeys, credentials, ruleSecrets } = r.reencrypted;
  const lines = [`Re-encrypted with the new APP_SECRET_KEY: ${signingKeys} organization signing keys, ${credentials} rules' credentials, ${ruleSecrets} rule signing secrets.`];
  if (r.alreadyNew) lines.push(`Already encrypted with the new key, left as they were: ${r.alreadyNew}.`);
  const { unreadable } = r;
  if (unreadable.credentials.length || unreadable.ruleSecrets.length) {
    lines.push("Neither key reads these, left from a key lost before (left as they were; `secret-key recover` lists or clears them):");
    if (unreadable.credentials.length) lines.push("  credentials:", ...rules(unreadable.credentials));
    if (unreadable.ruleSecrets.length) lines.push("  rule signing secrets:", ...rules(unreadable.ruleSecrets));
  }
  lines.push("Start every process (web and workers) with the new APP_SECRET_KEY now.");
  return lines;
}

function recoveryLines(r: LostKeyReport): string[] {
  const will = r.applied ? "" : "Would ";
  const lines: string[] = [];
  const writes = r.newSigningKeys.length + r.ruleSecretsCleared.length + r.previousSecretsCleared.length > 0;
  if (!writes && !r.credentialsToEnter.length) return ["Every stored secret is readable with this APP_SECRET_KEY: nothing to do."];
  if (r.newSigningKeys.length) {
    lines.push(`${will}${r.applied ? "Gave" : "give"} these organizations a new signing key (their receivers must be given it: Settings → Signing key):`);
    lines.push(...r.newSigningKeys.map((o) => `    ${printable(o)}`));
  }
  if (r.ruleSecretsCleared.length) {
    lines.push(`${will}${r.applied ? "Cleared" : "clear"} these rules' own signing secrets (they sign with their organization's key from now on; rotate the rule's secret to give it its own again):`);
    lines.push(...rules(r.ruleSecretsCleared));
  }
  if (r.previousSecretsCleared.length) {
    lines.push(`${will}${r.applied ? "Stopped" : "stop"} these rules' previous signing secrets (still in their grace period after a rotation) from signing; their current secret signs on:`);
    lines.push(...rules(r.previousSecretsCleared));
  }
  if (r.credentialsToEnter.length) {
    lines.push("These rules' credentials cannot be read: enter them again on each rule's Authentication tab (until then their deliveries fail, and can be retried after):");
    lines.push(...rules(r.credentialsToEnter));
  }
  if (!r.applied && writes) lines.push("Nothing was changed. Run `npm run cli -- secret-key recover --yes` to do it.");
  return lines;
}

/**
 * The other connections to the database, by name, e.g. "leadhooks server ×2" (PostgreSQL; PGlite's
 * lock already keeps other processes out). Every one counts, not only those named "leadhooks …": a
 * DATABASE_URL may set its own application_name. A Leadhooks process holding no connection at that
 * moment (a web process with DELIVERY_WORKERS=external, idle for 10 s) is seen by its presence row.
 */
async function otherConnections(database: Database): Promise<string[]> {
  if (database.kind !== "postgres") return [];
  const rows = await database.sql.query<{ name: string; n: number }>(
    `SELECT coalesce(nullif(application_name, ''), 'unnamed') AS name, count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name <> 'leadhooks cli'
      GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => `${printable(r.name)} ×${r.n}`);
}

/** Why a command that writes secrets must not run now, or null: Leadhooks processes still running, other connections. */
function refusal(processes: PresentProcess[], connections: string[]): string | null {
  if (!processes.length && !connections.length) return null;
  const lines: string[] = [];
  if (processes.length) lines.push("Leadhooks processes running on this database:", ...processes.map((p) => `    ${describeProcess(p)}`));
  if (connections.length) lines.push(`Other connections to this database (${connections.join(", ")}): stop every Leadhooks process (web and workers) first.`);
  else lines.push("Stop every Leadhooks process (web and workers) first.");
  const force = !connections.length
    ? "When you know the processes listed are gone, --force goes ahead."
    : !processes.length
      ? "When none of these is a Leadhooks process (a psql session, a monitoring tool), --force goes ahead."
      : "When the processes listed are gone and none of the connections is a Leadhooks process (a psql session, a monitoring tool), --force goes ahead.";
  lines.push(
    "One still running with the other key would write new secrets with it, and fail the deliveries whose secrets the new key wrote." +
      (processes.length ? ` A process that ended without stopping (killed, its host lost) is listed until ${PRESENCE_STALE_MS / 1000} s after it was last seen.` : "") +
      ` ${force}`,
  );
  return lines.join("\n");
}

/** A key command that must not run now; nothing was changed. */
class Refused extends Error {}

/**
 * Run first in a key change's transaction (PostgreSQL): holds off any process that starts, to the
 * commit, and (unless `force`) refuses while one is present. --force skips the refusal only: a
 * process starting during the change still waits for it, then checks its key against the new secrets.
 */
function presenceGuard(database: Database, { force }: { force: boolean }): KeyChangeGuard | undefined {
  if (database.kind !== "postgres") return undefined;
  return async (tx) => {
    const present = await holdPresence(tx);
    if (present.length && !force) throw new Refused(refusal(present, [])!);
  };
}

/** Processes started without APP_SECRET_KEY read ./data/local-secrets.json: say so when it holds another key. */
function warnLocalSecrets(key: string): void {
  const file = path.resolve("data", "local-secrets.json");
  let local: unknown;
  try {
    local = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return; // none (or unreadable): nothing to warn of
  }
  if ((local as { APP_SECRET_KEY?: unknown }).APP_SECRET_KEY !== key) {
    console.log(`Note: ${file} holds another APP_SECRET_KEY. A process started without APP_SECRET_KEY in its environment uses that one, and refuses to start: set APP_SECRET_KEY for every process, or put the new key in that file.`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: "string" }, org: { type: "string" }, yes: { type: "boolean" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  const command = positionals.join(" ");
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!COMMANDS.includes(command)) {
    console.error(`Unknown command "${command}".\n${USAGE}`);
    return 2;
  }
  if (command === "api-key create" && !values.name?.trim()) {
    console.error("api-key create needs --name NAME");
    return 2;
  }
  const secretKeyCommand = command.startsWith("secret-key ");
  if (secretKeyCommand && !process.env.APP_SECRET_KEY?.trim()) {
    // Else the local defaults would fill it from ./data/local-secrets.json (or make a new one there).
    console.error(`${command} needs APP_SECRET_KEY (the key to use from now on) set in the environment`);
    return 2;
  }
  applyLocalDefaults();
  const env = parseEnv(process.env);
  const oldKey = process.env.OLD_APP_SECRET_KEY ?? "";
  if (command === "secret-key rotate") {
    if (!oldKey.trim()) {
      console.error("secret-key rotate needs OLD_APP_SECRET_KEY (the key the secrets are encrypted with now) and APP_SECRET_KEY (the new one) in the environment");
      return 2;
    }
    if (oldKey === env.APP_SECRET_KEY) {
      console.error("OLD_APP_SECRET_KEY and APP_SECRET_KEY are the same key: nothing to re-encrypt");
      return 2;
    }
  }
  const database = await openDatabase(env.DATABASE_URL, "cli");
  try {
    const writes = command === "secret-key rotate" || (command === "secret-key recover" && values.yes === true);
    if (writes && !values.force) {
      const refused = refusal(database.kind === "postgres" ? await presentProcesses(database.sql) : [], await otherConnections(database));
      if (refused) {
        console.error(refused);
        return 1;
      }
    }
    if (command === "secret-key rotate") {
      const guard = presenceGuard(database, { force: values.force === true });
      rotationLines(await changeSecretKey(database.prisma, oldKey, env.APP_SECRET_KEY, { guard })).forEach((l) => console.log(l));
      warnLocalSecrets(env.APP_SECRET_KEY);
      return 0;
    }
    if (command === "secret-key recover") {
      const guard = presenceGuard(database, { force: values.force === true });
      recoveryLines(await recoverLostSecretKey(database.prisma, env.APP_SECRET_KEY, { apply: values.yes === true, guard })).forEach((l) => console.log(l));
      if (values.yes) warnLocalSecrets(env.APP_SECRET_KEY);
      return 0;
    }
    const orgs = await database.prisma.organization.findMany({ orderBy: { createdAt: "asc" }, select: { id: true, slug: true, name: true } });
    if (command === "org list") {
      for (const o of orgs) console.log(`${o.slug}\t${printable(o.name)}`);
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
    console.error(err instanceof EnvError || err instanceof KeyChangeError || err instanceof Refused ? err.message : `Error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
