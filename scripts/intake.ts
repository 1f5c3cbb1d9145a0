// Lead intake as the production server (serve.ts) serves it: `POST /api/v1/leads` is handed to the
// route's own handler (app/api/v1/leads/route.ts) without Next.js's routing around it. Kept apart
// from the server so tests can serve intake exactly as it does.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { POST as acceptLead } from "@/app/api/v1/leads/route";
import { MAX_BODY_BYTES, type ApiAnswer, type ApiRequest } from "@/lib/api/http";
import { rememberedApiKey } from "@/lib/api/keys";

export const INTAKE_PATH = "/api/v1/leads";

/** The path of a request target, without its query. */
const pathOf = (target: string | undefined) => (target ?? "/").split("?", 1)[0];

/**
 * A Node request's body, read whole here, for a client whose API key this process knows (see
 * intake). Reading stops once the body is past the handler's limit (by at most one socket read),
 * so a body sent without a length cannot fill the memory: the handler answers 413 for it, as for a
 * declared length over the limit (not read at all); Node discards the rest. Null when the client
 * went away before the end of the body.
 */
export function bodyOf(req: IncomingMessage): Promise<Buffer | null> {
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
export function webRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const url = `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
  return new Request(url, { method: req.method, headers, body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } as RequestInit & { duplex: "half" });
}

/** A header's value as the Fetch standard normalizes it: without leading and trailing HTTP whitespace. */
const normalized = (value: string) => value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");

/** The values of header `name` in a Node request's `rawHeaders`, in the order sent. */
function valuesOf(rawHeaders: readonly string[], name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === wanted) values.push(rawHeaders[i + 1]!);
  return values;
}

/**
 * A request whose body was read whole, as lead intake reads a request (ApiRequest), from a Node
 * request's `rawHeaders` and target. Each header reads as a Web Request's would: a header sent
 * more than once as its values joined with ", ", each value and the whole normalized (a Web Request
 * built from such headers copies them, and normalizes the joined value once more). The URL's host
 * is the first Host sent, as Node's `req.headers.host` gives it.
 */
export function readRequest(rawHeaders: readonly string[], target: string | undefined, body: Buffer): ApiRequest {
  const get = (name: string) => {
    const values = valuesOf(rawHeaders, name);
    return values.length ? normalized(values.map(normalized).join(", ")) : null;
  };
  return { url: `http://${valuesOf(rawHeaders, "host")[0] ?? "localhost"}${target ?? "/"}`, headers: { get }, arrayBuffer: async () => body };
}

/** Writes an answer given as data (JSON, as Response.json writes it). */
export function write(answer: ApiAnswer, res: ServerResponse): void {
  const body = Buffer.from(JSON.stringify(answer.body));
  res.writeHead(answer.status, { ...answer.headers, "content-type": "application/json", "content-length": String(body.byteLength) });
  res.end(body);
}

/** Writes a route handler's Web Response to the Node response. */
export async function send(response: Response, res: ServerResponse): Promise<void> {
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
export async function intake(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== "POST" || pathOf(req.url) !== INTAKE_PATH) return false;
  const body = rememberedApiKey(req.headers.authorization ?? null) ? await bodyOf(req) : "streamed";
  const route = { params: Promise.resolve({}) };
  if (body === null) res.destroy(); // nobody is left to answer, and no lead was sent whole
  else if (body === "streamed") await send(await acceptLead(webRequest(req), route), res);
  else {
    const answer = await acceptLead.answer(readRequest(req.rawHeaders, req.url, body), route);
    if (answer instanceof Response) await send(answer, res);
    else write(answer, res);
  }
  return true;
}

