import { afterAll, vi } from "vitest";
import { resetEnvCache } from "@/lib/core/env";
import type { Database } from "@/lib/db";
import { stopDispatcher } from "@/lib/delivery/engine/runtime";
import { notificationsSettled } from "@/lib/notifications/send";
import { consumeReportsWith } from "@/lib/delivery/engine/report";
import { consumeDispatchReport } from "@/lib/health/report";
import { chainDeliveriesWith } from "@/lib/delivery/engine/chain";
import { outboxChainWriter } from "@/lib/outbox/commit";
import { currentTestUser } from "./session";

(process.env as Record<string, string>).NODE_ENV = "test";
process.env.APP_SECRET_KEY ??= "integration-test-app-secret-key-0123456789";
process.env.NEXTAUTH_SECRET ??= "integration-test-nextauth-secret";
process.env.NEXTAUTH_URL ??= "http://localhost:3000";
// Each file installs a database of its own (helpers/db.ts); whatever opens the process's database
// without one (after a file closed its own, say) gets an empty one in memory, never the default
// data directory on disk, which the other suite running beside this one would also open.
process.env.DATABASE_URL ??= "pglite:memory";

// Server actions run here without Next's request context: the session comes from the test
// (signInAs), and cache revalidation is a no-op.
vi.mock("@/lib/auth/session", () => ({ getSessionUser: async () => currentTestUser() }));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {}, refresh: () => {}, updateTag: () => {} }));

// As instrumentation.ts wires it in the app: every dispatched batch feeds rule health and notifications,
// and the outbox renders the deliveries of fallback and linked rules.
consumeReportsWith(consumeDispatchReport);
chainDeliveriesWith(outboxChainWriter);

// Test files run one after another in one process, sharing module instances (vitest.config.ts).
// After each, what a fresh process would not have is put away: the environment is put back as it
// was before the file (and read afresh), the dispatcher is stopped, and the process-wide state the
// app keeps on globalThis (database, dispatcher runtime, caches, limiter, mailer) is dropped.
const environment = { ...process.env };
resetEnvCache();
afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
  resetEnvCache();
  const g = globalThis as unknown as Record<symbol, unknown>;
  const own = (name: string) => g[Symbol.for(`leadhooks.${name}`)];
  // The dispatcher stops and notifications settle, for at most 30 s: a wait that does not end (a
  // dispatch holding a database opened after the file's own was closed) must not keep the next file
  // from starting, nor leave it this file's state, which is dropped in any case.
  await Promise.race([Promise.all([stopDispatcher(), notificationsSettled()]), new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
  clearInterval(own("apiRateLimiter.pruner") as NodeJS.Timeout | undefined);
  (own("mailer") as { mailer: { close(): void } } | undefined)?.mailer.close();
  const opened = own("database") as Promise<Database> | undefined;
  for (const symbol of Object.getOwnPropertySymbols(g)) {
    if (symbol.description?.startsWith("leadhooks.") && symbol.description !== "leadhooks.wake-id") delete g[symbol];
  }
  void opened?.then((d) => d.close()).catch(() => {});
});
