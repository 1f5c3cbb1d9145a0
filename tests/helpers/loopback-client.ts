import { afterAll } from "vitest";
import { GuardedHttpClient } from "@/lib/delivery/http-client";

/**
 * A delivery client that may reach the tests' loopback receivers (tests/helpers/receiver.ts) over
 * plain HTTP, closed after the file (or the describe block it is created in).
 */
export function useLoopbackClient(): GuardedHttpClient {
  const client = new GuardedHttpClient({ policy: { allowedNetworks: ["127.0.0.0/8"], allowInsecure: true } });
  afterAll(() => client.destroy());
  return client;
}
