import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GuardedHttpClient } from "@/lib/delivery/transport/http-client";

// A real receiver on loopback with one route per misbehaviour the dispatcher must survive.
let server: Server;
let garbage: ReturnType<typeof createTcpServer>;
let base: string;
let garbageUrl: string;
const garbageSockets = new Set<import("node:net").Socket>();
const received: { method: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];

beforeAll(async () => {
  server = createHttpServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ method: req.method!, headers: req.headers, body });
      switch (req.url) {
        case "/ok": res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}'); break;
        case "/redirect": res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" }).end(); break;
        case "/huge": res.writeHead(200); res.end(Buffer.alloc(5 * 1024 * 1024, "x")); break;
        case "/hang": break; // never answers
        case "/trickle": res.writeHead(200); { const t = setInterval(() => res.write("."), 50); res.on("close", () => clearInterval(t)); } break;
        case "/reset": req.socket.destroy(); break;
        default: res.writeHead(404).end("nope");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  garbage = createTcpServer((s) => {
    garbageSockets.add(s);
    s.end("NOT HTTP AT ALL\r\n\r\n");
  });
  await new Promise<void>((r) => garbage.listen(0, "127.0.0.1", r));
  garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  for (const s of garbageSockets) s.destroy();
  await new Promise((r) => garbage.close(r));
});

const loopbackAllowed = { allowedNetworks: ["127.0.0.0/8"], allowInsecure: true };
const post = (url: string, timeoutMs = 2000) => ({ url, method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}', timeoutMs });

describe("guarded HTTP client against a real receiver", () => {
  const client = new GuardedHttpClient({ policy: loopbackAllowed, maxResponseBytes: 64 * 1024 });
  afterAll(() => client.destroy());

  it("delivers and returns status, headers and body", async () => {
    const res = await client.send(post(`${base}/ok`));
    expect(res).toMatchObject({ status: 200, body: '{"received":true}', bodyTruncated: false });
    expect(res.headers["content-type"]).toBe("application/json");
    expect(received.at(-1)).toMatchObject({ method: "POST", body: '{"a":1}' });
  });

  it("does not follow redirects: a 3xx is the result", async () => {
    const res = await client.send(post(`${base}/redirect`));
    expect(res.status).toBe(302);
  });

  it("caps a huge body at 64 KB without reading it all", async () => {
    const res = await client.send(post(`${base}/huge`));
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(64 * 1024);
    expect(res.bodyTruncated).toBe(true);
  });

  it("records a timeout as 999 when the receiver never answers", async () => {
    const res = await client.send(post(`${base}/hang`, 300));
    expect(res).toMatchObject({ status: 999, error: { class: "timeout" } });
    expect(res.durationMs).toBeLessThan(10_000); // far below "never", with room for a busy machine
  });

  it("does not stall on a body that never finishes", async () => {
    const res = await client.send(post(`${base}/trickle`, 400));
    expect(res).toMatchObject({ status: 999, error: { class: "timeout" } });
  });

  it("records a reset connection and a refused one", async () => {
    expect(await client.send(post(`${base}/reset`))).toMatchObject({ status: 999, error: { class: "connection_reset" } });
    const closed = createTcpServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect(await client.send(post(`http://127.0.0.1:${port}/`))).toMatchObject({ status: 999, error: { class: "connection_refused" } });
  });

  it("records invalid HTTP as a protocol error", async () => {
    expect(await client.send(post(garbageUrl))).toMatchObject({ status: 999, error: { class: "protocol" } });
  });
});

describe("SSRF guard on the wire", () => {
  it("blocks loopback unless ALLOWED_PRIVATE_NETWORKS allows it", async () => {
    const strict = new GuardedHttpClient({ policy: { allowedNetworks: [], allowInsecure: true } });
    const res = await strict.send(post(`${base}/ok`));
    expect(res).toMatchObject({ status: 999, error: { class: "blocked" } });
    expect(res.error?.message).toMatch(/loopback/);
    await strict.close();
  });

  it("blocks a hostname that resolves to a private address, at connect time", async () => {
    const before = received.length;
    const rebinding = new GuardedHttpClient({
      policy: { allowedNetworks: [], allowInsecure: true },
      lookup: async () => [{ address: "127.0.0.1", family: 4 }],
    });
    const port = new URL(base).port;
    const res = await rebinding.send(post(`http://hooks.example.test:${port}/ok`));
    expect(res).toMatchObject({ status: 999, error: { class: "blocked" } });
    expect(received.length).toBe(before); // nothing reached the receiver
    await rebinding.close();
  });

  it("connects to the vetted address, not a second DNS answer", async () => {
    let calls = 0;
    const client = new GuardedHttpClient({
      policy: loopbackAllowed,
      lookup: async () => (calls++ === 0 ? [{ address: "127.0.0.1", family: 4 }] : [{ address: "10.9.9.9", family: 4 }]),
    });
    const port = new URL(base).port;
    const res = await client.send(post(`http://receiver.example.test:${port}/ok`));
    expect(res.status).toBe(200);
    expect(calls).toBe(1);
    await client.close();
  });

  it("refuses plain http unless insecure URLs are allowed", async () => {
    const client = new GuardedHttpClient({ policy: { allowedNetworks: ["127.0.0.0/8"], allowInsecure: false } });
    expect(await client.send(post(`${base}/ok`))).toMatchObject({ status: 999, error: { class: "blocked" } });
    await client.close();
  });
});
