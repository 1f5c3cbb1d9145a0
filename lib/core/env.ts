import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const boolString = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

const cidr = z.string().refine((s) => {
  const [addr, bits, ...rest] = s.split("/");
  if (rest.length || !addr) return false;
  const isV6 = addr.includes(":");
  const max = isV6 ? 128 : 32;
  if (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > max)) return false;
  return isV6 ? /^[0-9a-fA-F:.]+$/.test(addr) : /^(\d{1,3}\.){3}\d{1,3}$/.test(addr) && addr.split(".").every((o) => Number(o) <= 255);
}, "must be a CIDR such as 10.0.0.0/8 or ::1/128");

/**
 * A whole number written in decimal digits (with a sign, and spaces around it, if any), as a
 * number; `message` for anything else. z.coerce.number would take " " as 0 (then "must be at
 * least…"), and "0x10", "1e1" or "0b11" as the numbers JavaScript reads in them.
 */
const whole = (message: string, bounds: (n: z.ZodNumber) => z.ZodNumber) =>
  z.preprocess((v) => (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v) ? Number(v) : v), bounds(z.number(message).int(message)));

/** A whole number of seconds from `min` to an hour. */
const wholeSeconds = (min: number, fallback: number) =>
  whole("must be a whole number of seconds", (n) =>
    n.min(min, `must be at least ${min} second${min === 1 ? "" : "s"}`).max(3600, "must be at most 3600 seconds (an hour)"),
  ).default(fallback);

/** The most requests in flight a delivering process may be set to have (DELIVERY_*_CONCURRENCY). */
export const MAX_IN_FLIGHT = 1024;

/** A number of requests in flight at once, 1 to MAX_IN_FLIGHT. */
const requests = (fallback: number) =>
  whole("must be a whole number of requests", (n) => n.min(1, "must be at least 1 request").max(MAX_IN_FLIGHT, `must be at most ${MAX_IN_FLIGHT} requests`)).default(fallback);

/**
 * API_RATE_LIMIT: requests per minute per API key; 0 turns limiting off. lib/api/rate-limit.ts
 * reads the variable again with this schema (tests change it while the process runs).
 */
export const apiRateLimitSetting = whole("must be a whole number of requests per minute", (n) => n.min(0, "must be 0 (off) or more requests per minute")).default(600);

const PORT_RANGE = "must be a whole number from 1 to 65535";

/** PORT: spaces around it are trimmed, here and in the default NEXTAUTH_URL built from it. */
const portSetting = whole(PORT_RANGE, (n) => n.min(1, PORT_RANGE).max(65535, PORT_RANGE)).default(3000);

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .default("pglite:./data/pglite")
    .refine((v) => v.startsWith("pglite:") || /^postgres(ql)?:\/\//.test(v), "must be pglite:<dir>, pglite:memory or postgres://…"),
  // On PostgreSQL, connections each process keeps open (shared by the admin side and the delivery engine).
  DATABASE_POOL_SIZE: whole("must be a whole number of connections", (n) => n.min(2, "must be at least 2 connections").max(200, "must be at most 200 connections")).default(10),
  // On PostgreSQL, the longest a statement may run (the server cancels it) or go unanswered (the
  // client drops the connection: a server gone silent behind a failover or a dropped flow).
  DATABASE_QUERY_TIMEOUT_SECONDS: wholeSeconds(1, 30),
  NEXTAUTH_SECRET: z.string().min(16, "must be at least 16 characters"),
  NEXTAUTH_URL: z.url("must be an absolute URL such as http://localhost:3000"),
  APP_SECRET_KEY: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -base64 32`)"),
  CRON_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  ADMIN_EMAIL: z.email("must be an email address").optional(),
  ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
  ALLOWED_PRIVATE_NETWORKS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : []))
    .pipe(z.array(cidr)),
  ALLOW_INSECURE_URLS: boolString,
  SCHEDULER: z.enum(["on", "off", ""]).optional().transform((v) => (v === "off" ? "off" : "on")),
  // inline: the web process delivers (after each event, and on its ticker); external: `npm run worker` processes do.
  DELIVERY_WORKERS: z.enum(["inline", "external"], "must be inline (the web process delivers) or external (`npm run worker` processes deliver)").default("inline"),
  // On PostgreSQL, seconds between a delivering process's fallback ticks (LISTEN/NOTIFY wakes it for new work).
  DELIVERY_FALLBACK_TICK_SECONDS: wholeSeconds(1, 10),
  // Seconds a claimed delivery stays with the process that claimed it; the pipeline extends the
  // lease of a request still in flight, so this bounds how long a dead process's deliveries wait.
  DELIVERY_LEASE_SECONDS: wholeSeconds(5, 60),
  // Requests a delivering process has in flight at once: in all, to one rule, to one destination
  // host (a per-rule or per-host limit above the total changes nothing: the total binds first).
  DELIVERY_CONCURRENCY: requests(64),
  DELIVERY_PER_RULE_CONCURRENCY: requests(16),
  DELIVERY_PER_HOST_CONCURRENCY: requests(32),
  PORT: portSetting,
  HOSTNAME: z.string().optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be smtp://… or smtps://…").optional(),
  MAIL_FROM: z.string().optional(),
  // Requests per minute per API key (0: no limit); read again by lib/api/rate-limit.ts.
  API_RATE_LIMIT: z.preprocess((v) => (typeof v === "string" && !v.trim() ? undefined : v), apiRateLimitSetting),
}).refine((e) => e.DELIVERY_WORKERS === "inline" || !e.DATABASE_URL.startsWith("pglite:"), {
  path: ["DELIVERY_WORKERS"],
  message: "external needs PostgreSQL: the embedded database (DATABASE_URL=pglite:…) is opened by one process only, so the web process delivers itself (leave DELIVERY_WORKERS unset)",
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

/** Local secrets kept in ./data so a developer's sessions and encrypted data survive restarts. */
function localSecrets(dataDir: string): Record<string, string> {
  const file = path.join(dataDir, "local-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  const secrets = {
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    APP_SECRET_KEY: randomBytes(32).toString("base64url"),
    CRON_SECRET: randomBytes(24).toString("base64url"),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  return secrets;
}

/** Fills NEXTAUTH_SECRET, NEXTAUTH_URL, APP_SECRET_KEY and CRON_SECRET for local use when unset. */
export function applyLocalDefaults(source: NodeJS.ProcessEnv = process.env, dataDir = path.resolve("data")): void {
  const needs = ["NEXTAUTH_SECRET", "APP_SECRET_KEY", "CRON_SECRET"].filter((k) => !source[k]);
  if (needs.length) {
    const secrets = localSecrets(dataDir);
    for (const k of needs) source[k] = secrets[k];
  }
  if (!source.NEXTAUTH_URL) {
    // From PORT as parseEnv reads it: a bad PORT is then reported under its own name only, not
    // also as a bad NEXTAUTH_URL built from its text.
    const port = portSetting.safeParse(source.PORT?.trim() ? source.PORT : undefined);
    source.NEXTAUTH_URL = `http://localhost:${port.success ? port.data : 3000}`;
  }
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  // An empty value, or one of spaces only, is as good as unset: the default applies.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The parsed environment, read once per process. */
export function env(): Env {
  if (!cached) {
    if (process.env.NODE_ENV !== "test" || !process.env.APP_SECRET_KEY) applyLocalDefaults();
    cached = parseEnv(process.env);
  }
  return cached;
}

/** For tests that change the environment. */
export function resetEnvCache(): void {
  cached = undefined;
}
