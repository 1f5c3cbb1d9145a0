import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { apiRateLimitSetting, applyLocalDefaults, EnvError, parseEnv } from "./env";

// Plain records stand in for process.env (whose type insists on NODE_ENV).
const asEnv = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;

const valid = {
  DATABASE_URL: "postgres://app@db.internal:5432/leadhooks",
  NEXTAUTH_SECRET: "a-nextauth-secret-long-enough",
  NEXTAUTH_URL: "https://hooks.example.com",
  APP_SECRET_KEY: "0123456789abcdef0123456789abcdef",
};

function errorFor(overrides: Record<string, string>): string {
  try {
    parseEnv(asEnv({ ...valid, ...overrides }));
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as Error).message;
  }
  throw new Error(`parseEnv accepted ${JSON.stringify(overrides)}`);
}

describe("parseEnv", () => {
  it("parses a valid environment into typed values", () => {
    const env = parseEnv(asEnv({ ...valid, ALLOWED_PRIVATE_NETWORKS: "10.0.0.0/8, fd00::/8", ALLOW_INSECURE_URLS: "true", SCHEDULER: "off", PORT: "4000" }));
    expect(env.ALLOWED_PRIVATE_NETWORKS).toEqual(["10.0.0.0/8", "fd00::/8"]);
    expect(env.ALLOW_INSECURE_URLS).toBe(true);
    expect(env.SCHEDULER).toBe("off");
    expect(env.PORT).toBe(4000);
  });

  it("uses the defaults for unset and empty values", () => {
    const env = parseEnv(asEnv({ ...valid, DATABASE_URL: "", ALLOW_INSECURE_URLS: "", SCHEDULER: "" }));
    expect(env.DATABASE_URL).toBe("pglite:./data/pglite");
    expect(env.ALLOW_INSECURE_URLS).toBe(false);
    expect(env.SCHEDULER).toBe("on");
    expect(env.ALLOWED_PRIVATE_NETWORKS).toEqual([]);
  });

  it("reads DELIVERY_WORKERS: inline by default, external on PostgreSQL", () => {
    expect(parseEnv(asEnv(valid)).DELIVERY_WORKERS).toBe("inline");
    expect(parseEnv(asEnv({ ...valid, DELIVERY_WORKERS: "" })).DELIVERY_WORKERS).toBe("inline");
    expect(parseEnv(asEnv({ ...valid, DELIVERY_WORKERS: "external" })).DELIVERY_WORKERS).toBe("external");
    expect(parseEnv(asEnv({ ...valid, DATABASE_URL: "pglite:./data/pglite", DELIVERY_WORKERS: "inline" })).DELIVERY_WORKERS).toBe("inline");
  });

  it("names DELIVERY_WORKERS when it is neither inline nor external", () => {
    expect(errorFor({ DELIVERY_WORKERS: "workers" })).toMatch(/DELIVERY_WORKERS: must be inline \(the web process delivers\) or external/);
  });

  it("refuses DELIVERY_WORKERS=external on the embedded database, which one process opens", () => {
    for (const DATABASE_URL of ["pglite:./data/pglite", "pglite:memory", ""]) {
      expect(errorFor({ DATABASE_URL, DELIVERY_WORKERS: "external" })).toMatch(/DELIVERY_WORKERS: external needs PostgreSQL: the embedded database \(DATABASE_URL=pglite:…\) is opened by one process only/);
    }
  });

  it.each([
    { name: "DELIVERY_FALLBACK_TICK_SECONDS", fallback: 10, min: 1, tooFew: "must be at least 1 second" },
    { name: "DELIVERY_LEASE_SECONDS", fallback: 60, min: 5, tooFew: "must be at least 5 seconds" },
    { name: "DATABASE_QUERY_TIMEOUT_SECONDS", fallback: 30, min: 1, tooFew: "must be at least 1 second" },
  ] as const)("reads $name: $fallback by default, whole seconds from $min to 3600", ({ name, fallback, min, tooFew }) => {
    const read = (value?: string) => parseEnv(asEnv(value === undefined ? valid : { ...valid, [name]: value }))[name];
    expect(read()).toBe(fallback);
    expect(read("")).toBe(fallback);
    expect(read(String(min))).toBe(min);
    expect(read("60")).toBe(60);
    expect(read("3600")).toBe(3600);
    expect(errorFor({ [name]: String(min - 1) })).toContain(`${name}: ${tooFew}`);
    expect(errorFor({ [name]: "3601" })).toContain(`${name}: must be at most 3600 seconds`);
    expect(errorFor({ [name]: "1.5" })).toContain(`${name}: must be a whole number of seconds`);
    expect(errorFor({ [name]: "soon" })).toContain(`${name}: must be a whole number of seconds`);
    // Only decimal digits: not what JavaScript would also read as a number. Spaces alone are unset.
    for (const odd of ["0x10", "1e1", "0b11", "10s"]) expect(errorFor({ [name]: odd })).toContain(`${name}: must be a whole number of seconds`);
    expect(read("  ")).toBe(fallback);
    expect(read(" 60 ")).toBe(60);
  });

  it.each([
    { name: "DELIVERY_CONCURRENCY", fallback: 64 },
    { name: "DELIVERY_PER_RULE_CONCURRENCY", fallback: 16 },
    { name: "DELIVERY_PER_HOST_CONCURRENCY", fallback: 32 },
  ] as const)("reads $name: $fallback by default, whole requests from 1 to 1024", ({ name, fallback }) => {
    const read = (value?: string) => parseEnv(asEnv(value === undefined ? valid : { ...valid, [name]: value }))[name];
    expect(read()).toBe(fallback);
    expect(read("")).toBe(fallback);
    expect(read("1")).toBe(1);
    expect(read("1024")).toBe(1024);
    expect(errorFor({ [name]: "0" })).toContain(`${name}: must be at least 1 request`);
    expect(errorFor({ [name]: "1025" })).toContain(`${name}: must be at most 1024 requests`);
    expect(errorFor({ [name]: "2.5" })).toContain(`${name}: must be a whole number of requests`);
    expect(errorFor({ [name]: "many" })).toContain(`${name}: must be a whole number of requests`);
    for (const odd of ["0x10", "1e1", "0o7"]) expect(errorFor({ [name]: odd })).toContain(`${name}: must be a whole number of requests`);
    expect(read(" ")).toBe(fallback);
  });

  it("reads DATABASE_POOL_SIZE and PORT as whole numbers in decimal digits only", () => {
    expect(parseEnv(asEnv({ ...valid, DATABASE_POOL_SIZE: "20", PORT: " 8080 " }))).toMatchObject({ DATABASE_POOL_SIZE: 20, PORT: 8080 });
    expect(parseEnv(asEnv({ ...valid, DATABASE_POOL_SIZE: " ", PORT: "" }))).toMatchObject({ DATABASE_POOL_SIZE: 10, PORT: 3000 });
    expect(errorFor({ DATABASE_POOL_SIZE: "1e1" })).toContain("DATABASE_POOL_SIZE: must be a whole number of connections");
    expect(errorFor({ PORT: "0x50" })).toContain("PORT: must be a whole number from 1 to 65535");
    expect(errorFor({ PORT: "70000" })).toContain("PORT: must be a whole number from 1 to 65535");
  });

  it("names DATABASE_URL when it is not pglite or postgres", () => {
    expect(errorFor({ DATABASE_URL: "mysql://root@localhost/app" })).toMatch(/DATABASE_URL: must be pglite:<dir>/);
  });

  it("names ALLOWED_PRIVATE_NETWORKS when an entry is not a CIDR", () => {
    expect(errorFor({ ALLOWED_PRIVATE_NETWORKS: "10.0.0.0/8,300.1.2.3/8" })).toMatch(/ALLOWED_PRIVATE_NETWORKS\.1: must be a CIDR/);
    expect(errorFor({ ALLOWED_PRIVATE_NETWORKS: "10.0.0.0/33" })).toMatch(/ALLOWED_PRIVATE_NETWORKS/);
  });

  it("names APP_SECRET_KEY when it is too short", () => {
    expect(errorFor({ APP_SECRET_KEY: "short" })).toMatch(/APP_SECRET_KEY: must be at least 32 characters/);
  });

  it("names ALLOW_INSECURE_URLS when it is not a boolean", () => {
    expect(errorFor({ ALLOW_INSECURE_URLS: "maybe" })).toMatch(/ALLOW_INSECURE_URLS/);
  });

  it("lists every bad variable at once", () => {
    const message = errorFor({ NEXTAUTH_URL: "not a url", PORT: "70000", SMTP_URL: "http://mail" });
    expect(message).toMatch(/NEXTAUTH_URL/);
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/SMTP_URL/);
  });
});

describe("applyLocalDefaults", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("generates local secrets once and reuses them, so sessions survive a restart", () => {
    dir = mkdtempSync(path.join(tmpdir(), "leadhooks-env-"));
    const first = asEnv({ PORT: "3100" });
    applyLocalDefaults(first, dir);
    expect(first.NEXTAUTH_SECRET?.length).toBeGreaterThanOrEqual(32);
    expect(first.APP_SECRET_KEY?.length).toBeGreaterThanOrEqual(32);
    expect(first.NEXTAUTH_URL).toBe("http://localhost:3100");
    expect(() => parseEnv(first)).not.toThrow();

    const second = asEnv({ APP_SECRET_KEY: "x".repeat(40) });
    applyLocalDefaults(second, dir);
    expect(second.NEXTAUTH_SECRET).toBe(first.NEXTAUTH_SECRET);
    expect(second.APP_SECRET_KEY).toBe("x".repeat(40)); // a set value always wins
    expect(JSON.parse(readFileSync(path.join(dir, "local-secrets.json"), "utf8")).APP_SECRET_KEY).toBe(first.APP_SECRET_KEY);
  });

  // The default NEXTAUTH_URL comes from PORT as parseEnv reads it: a bad PORT is reported once,
  // under its own name, not also as a bad NEXTAUTH_URL built from its text.
  it("builds the default NEXTAUTH_URL from a valid PORT only, with spaces around it trimmed as parseEnv trims them", () => {
    dir = mkdtempSync(path.join(tmpdir(), "leadhooks-env-"));
    for (const port of ["abc", "65536", "1e3", "0x0CE4", "3300.0", "0"]) {
      const source = asEnv({ PORT: port });
      applyLocalDefaults(source, dir);
      expect(source.NEXTAUTH_URL).toBe("http://localhost:3000");
      const message = (() => {
        try {
          parseEnv(source);
        } catch (err) {
          return (err as Error).message;
        }
        return "accepted";
      })();
      expect(message, port).toContain("PORT: must be a whole number from 1 to 65535");
      expect(message, port).not.toContain("NEXTAUTH_URL");
    }
    const spaced = asEnv({ PORT: " 3300 " });
    applyLocalDefaults(spaced, dir);
    expect(spaced.NEXTAUTH_URL).toBe("http://localhost:3300");
    expect(parseEnv(spaced)).toMatchObject({ PORT: 3300, NEXTAUTH_URL: "http://localhost:3300" });
  });
});

describe("API_RATE_LIMIT", () => {
  it("defaults to 600 per minute and refuses what is not a whole number", () => {
    expect(apiRateLimitSetting.parse(undefined)).toBe(600);
    expect(apiRateLimitSetting.parse("120")).toBe(120);
    expect(apiRateLimitSetting.parse("0")).toBe(0);
    expect(apiRateLimitSetting.safeParse("1.5").success).toBe(false);
    expect(apiRateLimitSetting.safeParse("-1").success).toBe(false);
    expect(apiRateLimitSetting.safeParse("lots").success).toBe(false);
    expect(apiRateLimitSetting.safeParse("0x10").success).toBe(false);
    expect(apiRateLimitSetting.safeParse("1e3").success).toBe(false);
    expect(apiRateLimitSetting.parse(" 120 ")).toBe(120);
  });
});
