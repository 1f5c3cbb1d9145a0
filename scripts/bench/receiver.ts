// The benchmark's receiver: a local HTTP server that hands every delivery to a ledger. Each path
// (a rule) answers 200 at once, after a delay, or never (its requests are held open until close).
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { arrivalOf, type Ledger } from "./ledger";

export type Answer = { delayMs: number } | "never";

export async function startReceiver(ledger: Ledger, answers: Record<string, Answer> = {}) {
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const arrival = arrivalOf({ path, webhookId: req.headers["webhook-id"] as string | undefined, body: Buffer.concat(chunks).toString(), at: performance.now() });
      if (arrival) ledger.receive(arrival);
      const answer = answers[path] ?? { delayMs: 0 };
      if (answer === "never") {
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      const reply = () => res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      if (answer.delayMs > 0) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
