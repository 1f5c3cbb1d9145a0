import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runToExit } from "../helpers/start-script";

// A DATABASE_URL pointing at something that accepts connections and never answers (a wrong port
// that happens to be open, a server hung, a proxy whose backend is gone) must stop `npm start` and
// `npm run worker` with a message an operator can act on, as a refused connection or an unknown
// database does, not hold them silently for ever.

let silent: net.Server;
let port: number;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  port = (silent.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe("start-up against a database that accepts connections and never answers", () => {
  it("npm run worker and npm start exit 1 within the connect timeout, naming the address, without a stack trace", async () => {
    const env = { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/leadhooks`, APP_SECRET_KEY: "silent-database-test-app-secret-key-0123456789" };
    // Both at once: each waits out the 10 s connect timeout. 40 s is far past it, short of the test's limit.
    const [worker, start] = await Promise.all([runToExit("worker", env, 40_000), runToExit("start", env, 40_000)]);
    for (const [name, ended, prefix] of [["worker", worker, "Worker start-up failed: "], ["start", start, "Start-up failed: "]] as const) {
      expect(ended.status, `${name}:\n${ended.output}`).toBe(1);
      expect(ended.output).toContain(`${prefix}the database at 127.0.0.1:${port} did not answer within 10 s of connecting: check DATABASE_URL`);
      expect(ended.output, name).not.toMatch(/^\s+at /m);
      expect(ended.output, name).not.toMatch(/started|Applied migrations|Database schema|fake next/);
      // The connect timeout, plus the start of the process (bundling, loading) on a busy machine.
      expect(ended.elapsedMs, name).toBeGreaterThanOrEqual(10_000);
      expect(ended.elapsedMs, name).toBeLessThan(30_000);
    }
  }, 90_000);
});
