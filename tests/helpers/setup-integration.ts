import { afterAll, vi } from "vitest";
import { resetEnvCache } from "@/lib/core/env";
import { consumeReportsWith } from "@/lib/delivery/engine/report";
import { consumeDispatchReport } from "@/lib/health/report";
import { chainDeliveriesWith } from "@/lib/delivery/engine/chain";
import { outboxChainWriter } from "@/lib/outbox/commit";
import { currentTestUser } from "./session";

(process.env as Record<string, string>).NODE_ENV = "test";
process.env.APP_SECRET_KEY ??= "integration-test-app-secret-key-0123456789";
process.env.NEXTAUTH_SECRET ??= "integration-test-nextauth-secret";
process.env.NEXTAUTH_URL ??= "http://localhost:3000";

// Server actions run here without Next's request context: the session comes from the test
// (signInAs), and cache revalidation is a no-op.
vi.mock("@/lib/auth/session", () => ({ getSessionUser: async () => currentTestUser() }));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {}, refresh: () => {}, updateTag: () => {} }));

// As instrumentation.ts wires it in the app: every dispatched batch feeds rule health and notifications,
// and the outbox renders the deliveries of fallback and linked rules.
consumeReportsWith(consumeDispatchReport);
chainDeliveriesWith(outboxChainWriter);

// Test files run one after another in one process, sharing module instances (vitest.config.ts):
// each starts from the environment as it was before the file, read afresh, whatever the last one set.
const environment = { ...process.env };
resetEnvCache();
afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
  resetEnvCache();
});
