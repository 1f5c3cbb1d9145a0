import { afterAll, beforeAll } from "vitest";
import { resetEnvCache } from "@/lib/core/env";
import { stopDispatcher, wireDispatcher } from "@/lib/delivery/engine/runtime";
import { consumeDispatchReport } from "@/lib/health/report";

/**
 * For a test file: receivers on loopback allowed (ALLOWED_PRIVATE_NETWORKS, ALLOW_INSECURE_URLS),
 * and this process's dispatcher wired as the web process wires it (inline, taking hand-offs, no
 * ticker); after the file, the dispatcher stopped and the settings removed.
 */
export function useLoopbackDispatcher(): void {
  beforeAll(() => {
    process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
    process.env.ALLOW_INSECURE_URLS = "true";
    resetEnvCache();
    wireDispatcher(consumeDispatchReport);
  });
  afterAll(async () => {
    await stopDispatcher();
    delete process.env.ALLOWED_PRIVATE_NETWORKS;
    delete process.env.ALLOW_INSECURE_URLS;
    resetEnvCache();
  });
}
