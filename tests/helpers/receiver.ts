import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP receiver on loopback. `respond` decides each answer (default 200); every request is
 * recorded in `received`.
 */
export async function startReceiver(respond?: (req: Received, n: number) => { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const r: Received = { path: req.url ?? "/", method: req.method ?? "", headers: req.headers, body };
      received.push(r);
      const answer = respond?.(r, received.length) ?? { status: 200, body: "ok" };
      setTimeout(() => res.writeHead(answer.status, answer.headers).end(answer.body ?? ""), answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
