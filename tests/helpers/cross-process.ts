import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { WorkerProcess } from "./worker";

// Helpers of tests/integration/cross-process-config.test.ts: a receiver that notes when
// each request arrived, an OAuth 2.0 token server whose accepted client secrets the test changes,
// a verifier written from README's "Verifying signatures" snippet, and stopping a worker.

export interface TimedRequest {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request's body had arrived. */
  at: number;
  /** Date.now() when the answer was written (undefined until then). */
  answeredAt?: number;
}

export type Answer = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: Server) {
  return async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
}

/** A loopback receiver; `respond` decides each answer (default 200 "ok"). */
export async function startTimedReceiver(respond?: (req: TimedRequest) => Answer) {
  const received: TimedRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const r: TimedRequest = { path: req.url ?? "/", method: req.method ?? "", headers: req.headers, body, at: Date.now() };
      received.push(r);
      const answer = respond?.(r) ?? { status: 200, body: "ok" };
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body ?? "");
        r.answeredAt = Date.now();
      }, answer.delayMs ?? 0);
    });
  });
  const url = await listen(server);
  return { url, received, close: closer(server) };
}

export interface TokenRequestSeen {
  clientId: string;
  clientSecret: string;
  grantType: string;
  /** The token issued, or null when the client was refused. */
  issued: string | null;
  at: number;
}

/**
 * A client-credentials token endpoint (POST /token, client authentication in the body or a Basic
 * header) that issues `<prefix>-<n>` tokens for `clientId` with any secret in `secrets` (the test
 * changes the set), and a resource (/resource) that records the bearer token it is sent and
 * answers 200 whatever the token: a client that keeps an old token is seen doing so, not rescued
 * by a 401.
 */
export async function startTokenServer(options: { prefix: string; clientId: string; secrets: string[] }) {
  const secrets = new Set(options.secrets);
  const tokenRequests: TokenRequestSeen[] = [];
  const resourceRequests: TimedRequest[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/token") {
        const form = new URLSearchParams(body);
        let clientId = form.get("client_id") ?? "";
        let clientSecret = form.get("client_secret") ?? "";
        const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
        if (basic) {
          const pair = Buffer.from(basic[1]!, "base64").toString("utf8");
          const i = pair.indexOf(":");
          clientId = decodeURIComponent(pair.slice(0, i).replace(/\+/g, " "));
          clientSecret = decodeURIComponent(pair.slice(i + 1).replace(/\+/g, " "));
        }
        const ok = clientId === options.clientId && secrets.has(clientSecret) && form.get("grant_type") === "client_credentials";
        const issued = ok ? `${options.prefix}-${++n}` : null;
        tokenRequests.push({ clientId, clientSecret, grantType: form.get("grant_type") ?? "", issued, at: Date.now() });
        if (!issued) return void res.writeHead(401, { "content-type": "application/json" }).end('{"error":"invalid_client"}');
        return void res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify({ access_token: issued, token_type: "Bearer", expires_in: 3600 }));
      }
      if (url.pathname === "/resource") {
        resourceRequests.push({ path: req.url ?? "/", method: req.method ?? "", headers: req.headers, body, at: Date.now() });
        return void res.writeHead(200, { "content-type": "application/json" }).end('{"accepted":true}');
      }
      res.writeHead(404).end();
    });
  });
  const url = await listen(server);
  return { url, tokenUrl: `${url}/token`, resourceUrl: `${url}/resource`, secrets, tokenRequests, resourceRequests, close: closer(server) };
}

/** README's "By hand, in Node" Standard Webhooks verifier, for one secret. */
export function verifiesStandard(req: Pick<TimedRequest, "headers" | "body">, secret: string): boolean {
  const headers = req.headers as Record<string, string | undefined>;
  const id = headers["webhook-id"];
  const ts = Number(headers["webhook-timestamp"]);
  if (!id || !Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${ts}.`).update(req.body).digest();
  return String(headers["webhook-signature"] ?? "")
    .split(" ")
    .some((entry) => {
      const [version, sig] = entry.split(",");
      const given = Buffer.from(sig ?? "", "base64");
      return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** README's HMAC hex verifier ("verify-snippet: hex-js"), for one secret. */
export function verifiesHex(req: Pick<TimedRequest, "headers" | "body">, secret: string): boolean {
  const headers = req.headers as Record<string, string | undefined>;
  const sent = Date.parse(headers["x-leadhooks-timestamp"] ?? "");
  if (Number.isNaN(sent) || Math.abs(Date.now() - sent) > 5 * 60_000) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = Buffer.from(`sha256=${createHmac("sha256", key).update(req.body).digest("hex")}`);
  return String(headers["x-leadhooks-signature"] ?? "")
    .split(",")
    .some((s) => {
      const given = Buffer.from(s.trim());
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** How many signatures the request carries (one per signing key). */
export function signatureCount(req: Pick<TimedRequest, "headers">): number {
  return String(req.headers["webhook-signature"] ?? "").split(" ").filter(Boolean).length;
}

/** Stops a worker with SIGTERM (it finishes what is in flight), SIGKILL if it has not exited in `ms`. */
export async function stopWorker(worker: WorkerProcess, ms = 30_000): Promise<number | null> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return worker.child.exitCode;
  worker.child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([worker.exited, new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), ms)))]);
  clearTimeout(timer);
  if (code === "timeout") {
    worker.child.kill("SIGKILL");
    return worker.exited;
  }
  return code;
}
