import { afterAll, beforeAll } from "vitest";
import { GuardedHttpClient } from "@/lib/delivery/transport/http-client";
import { resetEnvCache } from "@/lib/core/env";

/**
 * A delivery client that may reach the tests' loopback receivers (tests/helpers/receiver.ts) over
 * plain HTTP, closed after the file (or the describe block it is created in).
 */
export function useLoopbackClient(): GuardedHttpClient {
  const client = new GuardedHttpClient({ policy: { allowedNetworks: ["127.0.0.0/8"], allowInsecure: true } });
  afterAll(() => client.destroy());
  return client;
}

/**
 * Lets the file's rules point at the tests' loopback receivers over plain HTTP: the save-time
 * destination check (form, API, Test Connection) reads the environment, as the server does.
 * Call it at the top level, before the file's own beforeAll, so rules saved there are allowed.
 */
export function allowLoopbackDestinations(): void {
  beforeAll(() => {
    process.env.ALLOW_INSECURE_URLS = "true";
    process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
    resetEnvCache();
  });
  afterAll(() => {
    delete process.env.ALLOW_INSECURE_URLS;
    delete process.env.ALLOWED_PRIVATE_NETWORKS;
    resetEnvCache();
  });
}
