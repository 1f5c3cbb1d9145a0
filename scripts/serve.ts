// The production web server (`npm start` runs it once the database and the build are ready): one
// Node HTTP server in front of Next.js. Every request goes to Next.js except lead intake,
// `POST /api/v1/leads`, the one route that takes traffic at the rate leads arrive: it is handed to
// the very same route handler (app/api/v1/leads/route.ts, with its authentication, rate limit,
// validation and errors) without Next.js's routing and rendering around it, which cost several
// times the handler's own work per request. Both paths share the process's database, dispatcher
// and caches (they are kept on globalThis).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { networkInterfaces } from "node:os";
import { Readable } from "node:stream";
import next from "next";
import { POST as acceptLead } from "@/app/api/v1/leads/route";
import { MAX_BODY_BYTES, type ApiAnswer, type ApiRequest } from "@/lib/api/http";
import { rememberedApiKey } from "@/lib/api/keys";

const KEEP_ALIVE_MS = 65_000;
const INTAKE_PATH = "/api/v1/leads";

/** The path of a request target, without its query. */
const pathOf = (target: string | undefined) => (target ?? "/").split("?", 1)[0];

/**
 * A Node request's body, read whole here, for a client whose API key this process knows (see
 * intake). Reading stops once the body is past the handler's limit (by at most one socket read),
 * so a body sent without a length cannot fill the memory: the handler answers 413 for it, as for a
 * declared length over the limit (not read at all); Node discards the rest. Null when the client
 * went away before the end of the body.
 */
function bodyOf(req: IncomingMessage): Promise<Buffer | null> {
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (body: Buffer | null) => {
      req.off("data", onData).off("end", done).off("error", gone).off("close", gone);
      resolve(body);
    };
    const done = () => settle(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    const gone = () => settle(null); // the client went away before the end of its body
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_BODY_BYTES) done();
    };
    req.on("data", onData).on("end", done).on("error", gone).on("close", gone);
  });
}

/** The Web Request a route handler takes, for a Node request whose body is streamed as the handler reads it. */
function webRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const url = `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
  return new Request(url, { method: req.method, headers, body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } as RequestInit & { duplex: "half" });
}

/**
 * A Node request whose body was read whole, as lead intake reads a request (ApiRequest): a header
 * sent more than once reads as its values joined, as a Web Request's headers read.
 */
function readRequest(req: IncomingMessage, body: Buffer): ApiRequest {
  const raw = req.rawHeaders;
  return {
    url: `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
    headers: {
      get(name: string) {
        const wanted = name.toLowerCase();
        let value: string | null = null;
        for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === wanted) value = value === null ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
        return value;
      },
    },
    arrayBuffer: async () => body,
  };
}

/** Writes an answer given as data (JSON, as Response.json writes it). */
function write(answer: ApiAnswer, res: ServerResponse): void {
  const body = Buffer.from(JSON.stringify(answer.body));
  res.writeHead(answer.status, { ...answer.headers, "content-type": "application/json", "content-length": String(body.byteLength) });
  res.end(body);
}

/** Writes a route handler's Web Response to the Node response. */
async function send(response: Response, res: ServerResponse): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = name === "set-cookie" ? response.headers.getSetCookie() : value;
  });
  res.writeHead(response.status, { ...headers, "content-length": String(body.byteLength) });
  res.end(body);
}

/**
 * Serves lead intake itself; answers false for every other request (Next.js serves it). A client
 * whose API key this process checked in the last minute (the senders that post leads at a rate)
 * gets its body read into a buffer first, and the route reads it, and answers, as plain data
 * (ApiRequest, ApiAnswer): no Web Request, Response or stream is made for it, which cost about as
 * much as the route's own validation. Any other request's body is streamed to the handler (a Web
 * Request), which checks the key before it reads a byte: a client without a valid key is answered
 * 401 at once and never has a body held for it.
 */
async function intake(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== "POST" || pathOf(req.url) !== INTAKE_PATH) return false;
  const body = rememberedApiKey(req.headers.authorization ?? null) ? await bodyOf(req) : "streamed";
  const route = { params: Promise.resolve({}) };
  if (body === null) res.destroy(); // nobody is left to answer, and no lead was sent whole
  else if (body === "streamed") await send(await acceptLead(webRequest(req), route), res);
  else {
    const answer = await acceptLead.answer(readRequest(req, body), route);
    if (answer instanceof Response) await send(answer, res);
    else write(answer, res);
  }
  return true;
}

/** Where the server can be reached: this machine, and (listening on every interface) the network. */
function addresses(hostname: string | undefined, port: number): string[] {
  const everywhere = !hostname || hostname === "0.0.0.0" || hostname === "::" || hostname === "[::]";
  const lines = [`Local:   http://${everywhere ? "localhost" : hostname}:${port}`];
  if (everywhere) {
    const ip = Object.values(networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    if (ip) lines.push(`Network: http://${ip}:${port}`);
  }
  return lines;
}

async function main() {
  const port = Number(process.env.PORT || 3000);
  const hostname = process.env.HOSTNAME || undefined;
  const app = next({ dev: false, hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((req, res) => {
    intake(req, res)
      .then((served) => (served ? undefined : handle(req, res)))
      .catch((err: unknown) => {
        // The handler answers every error itself; this is a failure to write the answer.
        console.error("server:", err instanceof Error ? err.message : err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "internal_error", message: "Something went wrong on our side." } }));
        else res.destroy();
      });
  });
  // Idle keep-alive connections stay open longer than clients and proxies keep theirs (Node's 5 s
  // default closes a socket just as a client reuses it: ECONNRESET on a good request).
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, resolve);
  });
  for (const line of addresses(hostname, port)) console.log(line);
  const stop = () => {
    server.close();
    void app.close().finally(() => process.exit(0));
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, stop);
}

main().catch((err: unknown) => {
  console.error(`Server start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
