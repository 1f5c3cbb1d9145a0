import { request as httpRequest } from "node:http";
import { API_KEYS } from "./accounts";
import { expect, test } from "./fixtures";

// Lead intake through the production server (scripts/serve.ts), which reads the POST /api/v1/leads
// body of a client whose key it knows before handing it to the route, and streams any other's to
// the route (which checks the key first): what the route answers for a body must not change with
// how the body arrives (with a length, or chunked without one), a body over the 1 MB limit is
// refused without being kept whole, and a client without a valid key has no body held for it.

const auth = { authorization: `Bearer ${API_KEYS.acme}` };
const MB = 1024 * 1024;

/** POSTs `chunks` to the intake without a Content-Length (chunked), as a client streaming a body would. */
function postChunked(baseURL: string, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseURL}/api/v1/leads`, { method: "POST", headers: { ...auth, "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c)).on("end", () => resolve({ status: res.statusCode!, body }));
    });
    // The server may answer (and close) before the whole of an oversize body is written.
    req.on("error", (err: NodeJS.ErrnoException) => (err.code === "EPIPE" || err.code === "ECONNRESET" ? undefined : reject(err)));
    (async () => {
      for (const chunk of chunks) if (!req.write(chunk)) await new Promise((r) => req.once("drain", r).once("close", r));
      req.end();
    })().catch(reject);
  });
}

test("a lead sent with a length or chunked is accepted alike", async ({ request, baseURL }) => {
  const sized = await request.post("/api/v1/leads", { headers: auth, data: { email: "sized@intake.test", firstName: "Sized" } });
  expect(sized.status()).toBe(201);
  const note = "é".repeat(200);
  const json = Buffer.from(JSON.stringify({ email: "chunked@intake.test", firstName: "Chunked", customFields: { note } }));
  const split = json.indexOf(0xc3) + 1; // inside the two bytes of an "é"
  const chunked = await postChunked(baseURL!, [json.subarray(0, 7), json.subarray(7, split), json.subarray(split)]);
  expect(chunked.status, chunked.body).toBe(201);
  const { id } = JSON.parse(chunked.body) as { id: string };
  const lead = await request.get(`/api/v1/leads/${id}`, { headers: auth });
  expect(lead.status()).toBe(200);
  expect(await lead.json()).toMatchObject({ email: "chunked@intake.test", firstName: "Chunked", customFields: { note } });
});

test("a body over 1 MB is refused with 413, with a length or chunked, and the server goes on", async ({ request, baseURL }) => {
  // A key the server has just checked: it reads such a client's body itself (scripts/serve.ts).
  expect((await request.post("/api/v1/leads", { headers: auth, data: { email: "before-big@intake.test" } })).status()).toBe(201);
  const big = Buffer.from(JSON.stringify({ email: "big@intake.test", customFields: { blob: "x".repeat(MB) } }));
  const sized = await request.post("/api/v1/leads", { headers: { ...auth, "content-type": "application/json" }, data: big });
  expect(sized.status()).toBe(413);
  expect((await sized.json()).error.code).toBe("payload_too_large");
  const chunks = Array.from({ length: 24 }, (_, i) => big.subarray(i * 64 * 1024, (i + 1) * 64 * 1024)).filter((c) => c.length);
  const chunked = await postChunked(baseURL!, chunks);
  expect(chunked.status).toBe(413);
  expect(JSON.parse(chunked.body).error.code).toBe("payload_too_large");
  const after = await request.post("/api/v1/leads", { headers: auth, data: { email: "after@intake.test" } });
  expect(after.status()).toBe(201);
});

test("a body that is not UTF-8 is refused with 400", async ({ baseURL }) => {
  const chunked = await postChunked(baseURL!, [Buffer.from('{"email":"latin@intake.test","firstName":"'), Buffer.from([0xe9]), Buffer.from('"}')]);
  expect(chunked.status).toBe(400);
  expect(JSON.parse(chunked.body).error.code).toBe("malformed_json");
});

test("a client that goes away halfway through its body does not stop the server", async ({ request, baseURL }) => {
  const url = new URL("/api/v1/leads", baseURL);
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { ...auth, "content-type": "application/json", "transfer-encoding": "chunked" } });
    req.on("error", (err: NodeJS.ErrnoException) => (err.code === "ECONNRESET" || err.message === "socket hang up" ? resolve() : reject(err)));
    req.on("close", () => resolve());
    req.write('{"email":"halfway@intake.test","firstName":"Half', () => req.destroy());
  });
  const after = await request.post("/api/v1/leads", { headers: auth, data: { email: "after-halfway@intake.test" } });
  expect(after.status()).toBe(201);
});

test("a client without a valid key is answered 401 before it sends its body, which is never held for it", async ({ baseURL }) => {
  const url = new URL("/api/v1/leads", baseURL);
  for (const authorization of [null, "Bearer lh_live_not_a_key_at_all"]) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, { method: "POST", headers: { ...(authorization ? { authorization } : {}), "content-type": "application/json", "content-length": "100" } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on("error", (err: NodeJS.ErrnoException) => (err.code === "ECONNRESET" ? undefined : reject(err)));
      req.flushHeaders(); // the headers only: the 100 bytes announced never come
    });
    expect(status, `Authorization: ${authorization}`).toBe(401);
  }
});

/** POSTs `body` with these headers (a header given as a list is sent once per value) and reads the whole answer. */
function post(baseURL: string, headers: Record<string, string | string[]>, body: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseURL}/api/v1/leads`, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text += c)).on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("the server's own path for a known key answers as the route does: status, headers and JSON, for each kind of answer", async ({ request, baseURL }) => {
  // Warm the key, so that what follows takes the server's own path (the body read, the answer written as data).
  expect((await request.post("/api/v1/leads", { headers: auth, data: { email: "warm@intake.test" } })).status()).toBe(201);
  const key = `answers-${Date.now()}`;
  const lead = JSON.stringify({ email: "answers@intake.test", firstName: "Answers" });

  const created = await post(baseURL!, { ...auth, "idempotency-key": key }, lead);
  expect(created.status).toBe(201);
  expect(created.headers["content-type"]).toBe("application/json");
  expect(Number(created.headers["content-length"])).toBe(Buffer.byteLength(created.body));
  const body = JSON.parse(created.body) as { id: string; email: string; webhooks: unknown[] };
  expect(body).toMatchObject({ email: "answers@intake.test", firstName: "Answers" });
  expect(created.headers.location).toBe(`/api/v1/leads/${body.id}`);

  // The same key and body again: the first lead, marked as replayed.
  const replayed = await post(baseURL!, { ...auth, "idempotency-key": key }, lead);
  expect(replayed.status).toBe(201);
  expect(replayed.headers["idempotent-replayed"]).toBe("true");
  expect(replayed.headers.location).toBe(`/api/v1/leads/${body.id}`);
  expect((JSON.parse(replayed.body) as { id: string }).id).toBe(body.id);

  const reused = await post(baseURL!, { ...auth, "idempotency-key": key }, JSON.stringify({ email: "other@intake.test" }));
  expect(reused.status).toBe(422);
  expect(JSON.parse(reused.body).error.code).toBe("idempotency_key_reused");

  const invalid = await post(baseURL!, auth, JSON.stringify({ email: "not an email" }));
  expect(invalid.status).toBe(422);
  expect(invalid.headers["content-type"]).toBe("application/json");
  expect(JSON.parse(invalid.body).error).toMatchObject({ code: "validation_failed", fields: { email: expect.any(Array) } });

  const malformed = await post(baseURL!, auth, "{not json");
  expect(malformed.status).toBe(400);
  expect(JSON.parse(malformed.body).error.code).toBe("malformed_json");

  // A second Authorization header makes the key unreadable (the values are joined, as a Web Request joins them): 401, never the first key's answer.
  const twice = await post(baseURL!, { authorization: [auth.authorization, "Bearer lh_live_someone_else"] }, lead);
  expect(twice.status).toBe(401);
  expect(twice.headers["www-authenticate"]).toBe("Bearer");
});
