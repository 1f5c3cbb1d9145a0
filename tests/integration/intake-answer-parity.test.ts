import { createServer, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/v1/leads/route";
import { MAX_BODY_BYTES, toResponse, type ApiAnswer } from "@/lib/api/http";
import { authenticateApiKey, createApiKey, rememberedApiKey, revokeApiKey } from "@/lib/api/keys";
import { resetApiRateLimiter } from "@/lib/api/rate-limit";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { sql } from "@/lib/db";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";
import { intake, readRequest, write } from "@/scripts/intake";

// Parity of lead intake's two ways in: Next.js's `POST(request)` (a Web Request, a Response) and
// the production server's `POST.answer(apiRequest)` (scripts/intake.ts: a plain ApiRequest over a
// Node request's rawHeaders and its buffered body; the answer written as JSON by `write()`).
// For each input, the same request is made on each way, each with its own API key (and its own
// tag in emails and Idempotency-Keys), and the status, headers (but content-length and date) and
// JSON body must be the same once ids, timestamps and the tag are masked.

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
resetEnvCache();

const prisma = useTestDatabase();
let orgId: string;
let rx: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  resetApiRateLimiter();
  rx = await startReceiver();
  orgId = (await createWebhookOrg(prisma())).org.id;
  await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: orgId, title: "CRM", events: ["lead.created"], url: `${rx.url}/crm` } });
});
afterAll(async () => {
  await runDispatcher();
  await rx.close();
});

// ---- the server's own path (scripts/intake.ts) --------------------------------------------------

/** What serve.ts bodyOf() hands over for a body already received whole (declared over the limit: nothing read; past it: stops there). */
function bodyOfLike(raw: string[], body: Buffer): Buffer {
  let declared: string | undefined;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === "content-length") { declared = raw[i + 1]; break; } // Node keeps the first
  if (Number(declared ?? 0) > MAX_BODY_BYTES) return Buffer.alloc(0);
  return body.byteLength > MAX_BODY_BYTES ? body.subarray(0, MAX_BODY_BYTES + 1) : body;
}

/** The server's write() (scripts/intake.ts), as what the client reads. */
function written(answer: ApiAnswer): Seen {
  const out = { status: 0, headers: {} as Record<string, string>, text: "" };
  const res = {
    writeHead: (status: number, headers: Record<string, string>) => Object.assign(out, { status, headers }),
    end: (body: Buffer) => (out.text = body.toString("utf8")),
  };
  write(answer, res as unknown as ServerResponse);
  return seen(out.status, Object.entries(out.headers), out.text);
}

// ---- the two ways in ---------------------------------------------------------------------------

interface Seen {
  status: number;
  headers: Record<string, string>;
  text: string;
}
const TRANSPORT = new Set(["content-length", "date", "connection", "keep-alive", "transfer-encoding"]);
function seen(status: number, headers: Iterable<[string, string]>, text: string): Seen {
  const h: Record<string, string> = {};
  for (const [name, value] of headers) if (!TRANSPORT.has(name.toLowerCase())) h[name.toLowerCase()] = h[name.toLowerCase()] === undefined ? value : `${h[name.toLowerCase()]}, ${value}`;
  return { status, headers: h, text };
}
const fromResponse = async (res: Response): Promise<Seen> => seen(res.status, res.headers, await res.text());

/** One request, for a given Authorization value and tag (unique per way, so each way has fresh state). */
interface Input {
  /** Name/value pairs in order, as a Node request's rawHeaders; "$AUTH" and "$TAG" in a value are replaced. */
  headers: [string, string][];
  body: Buffer | string | ((tag: string) => Buffer | string);
  /** The request target (path and query). */
  target?: string;
}

const route = () => ({ params: Promise.resolve({}) });
let tagCount = 0;
const newTag = () => `t${String(++tagCount).padStart(5, "0")}${Math.random().toString(36).slice(2, 8).padEnd(6, "0")}`;

function materialize(input: Input, key: string, tag: string) {
  const pairs = input.headers.map(([n, v]) => [n, v.replaceAll("$AUTH", `Bearer ${key}`).replaceAll("$KEY", key).replaceAll("$TAG", tag)] as [string, string]);
  const b = typeof input.body === "function" ? input.body(tag) : input.body;
  return { pairs, body: Buffer.isBuffer(b) ? b : Buffer.from(b, "utf8"), target: input.target ?? "/api/v1/leads" };
}

/** serve.ts's own path: a remembered key, POST.answer over readRequest; the answer both as toResponse and as write() writes it. */
async function viaAnswer(input: Input, key: string, tag: string): Promise<{ response: Seen; written: Seen }> {
  const { pairs, body, target } = materialize(input, key, tag);
  const raw = pairs.flat();
  const a = await POST.answer(readRequest(raw, target, bodyOfLike(raw, body)), route());
  if (a instanceof Response) {
    const s = await fromResponse(a);
    return { response: s, written: s };
  }
  return { response: await fromResponse(toResponse(a)), written: written(a) };
}

/** Next.js's way: POST(new Request(...)), with the same headers appended in the same order. */
async function viaPost(input: Input, key: string, tag: string): Promise<Seen> {
  const { pairs, body, target } = materialize(input, key, tag);
  const host = pairs.find(([n]) => n.toLowerCase() === "host")?.[1] ?? "localhost";
  const headers = new Headers();
  for (const [n, v] of pairs) headers.append(n, v);
  return fromResponse(await POST(new Request(`http://${host}${target}`, { method: "POST", headers, body: new Uint8Array(body) }), route()));
}

/** A new API key of the organization; `warm`: checked now, so this process remembers it (serve.ts's condition for POST.answer). */
async function newKey(warm: boolean) {
  const { key, record } = await createApiKey(prisma(), orgId, `parity-${newTag()}`);
  if (warm) {
    await authenticateApiKey(await sql(), `Bearer ${key}`);
    expect(rememberedApiKey(`Bearer ${key}`)).not.toBeNull();
  }
  return { key, id: record.id };
}

/** Masks what differs between two equivalent requests: ids, timestamps, the tag. */
function normalize(s: Seen, tag: string): unknown {
  const mask = (v: unknown, k?: string): unknown => {
    if (typeof v === "string") {
      if (k && ["id", "createdAt", "updatedAt", "nextAttemptAt", "deliveryId", "leadId"].includes(k)) return `<${k}>`;
      return v.replaceAll(tag, "<tag>");
    }
    if (Array.isArray(v)) return v.map((x) => mask(x));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, mask(vv, kk)]));
    return v;
  };
  let body: unknown;
  try {
    body = JSON.parse(s.text);
  } catch {
    body = { notJson: s.text };
  }
  const headers = { ...s.headers };
  if (headers.location) headers.location = headers.location.replace(/\/api\/v1\/leads\/[^/]+$/, "/api/v1/leads/<id>");
  return { status: s.status, headers, body: mask(body) };
}

/**
 * Sends `steps` in order on each way, each way with its own key and tag: serve.ts's own path (a
 * remembered key, POST.answer), Next.js's way with a key never seen (as serve.ts streams it to the
 * route) and with a remembered key. Expects every step's answer to be the same on all of them.
 */
async function expectParity(steps: Input[], options: { prepare?: (key: { key: string; id: string }) => Promise<void> } = {}) {
  const ways = {
    answer: { warm: true, run: async (i: Input, k: string, t: string) => (await viaAnswer(i, k, t)).response },
    written: { warm: true, run: async (i: Input, k: string, t: string) => (await viaAnswer(i, k, t)).written },
    postFreshKey: { warm: false, run: viaPost },
    postRememberedKey: { warm: true, run: viaPost },
  };
  const results: Record<string, { raw: Seen; norm: unknown }[]> = {};
  for (const [name, way] of Object.entries(ways)) {
    const key = await newKey(way.warm);
    await options.prepare?.(key);
    const tag = newTag();
    results[name] = [];
    for (const step of steps) {
      const raw = await way.run(step, key.key, tag);
      results[name].push({ raw, norm: normalize(raw, tag) });
    }
  }
  for (const name of Object.keys(ways)) {
    if (name === "answer") continue;
    steps.forEach((_, i) => expect(results[name]![i]!.norm, `step ${i}: ${name} vs answer`).toEqual(results.answer![i]!.norm));
  }
  return results.answer!.map((r) => ({ ...r.raw, json: JSON.parse(r.raw.text) as Record<string, unknown> & { error?: { code: string; fields?: Record<string, string[]> } } }));
}

const base: [string, string][] = [
  ["Host", "localhost:3000"],
  ["Authorization", "$AUTH"],
  ["Content-Type", "application/json"],
];
const lead = (extra: Record<string, unknown> = {}) => (tag: string) => JSON.stringify({ email: `${tag}@parity.test`, ...extra });
const one = (input: Partial<Input>) => expectParity([{ headers: base, body: lead(), ...input }]).then((r) => r[0]!);

/** A body of exactly `size` bytes: a valid lead padded with spaces. */
const padded = (size: number) => (tag: string) => {
  const json = JSON.stringify({ email: `${tag}@parity.test` });
  return Buffer.from(json + " ".repeat(size - Buffer.byteLength(json)));
};

describe("lead intake answers the same on POST.answer (serve.ts) and POST (Next.js)", () => {
  it("valid lead with unicode text and large custom fields", async () => {
    const customFields: Record<string, unknown> = { emoji: "😀".repeat(1000), cjk: "漢字".repeat(1000), rtl: "שלום \u200f عربي", combining: "e\u0301", zero: 0, neg: -12.5, big: 9007199254740991, t: true, n: null };
    for (let i = 0; i < 40; i++) customFields[`f${i}`] = "é".repeat(2000);
    const a = await one({ body: lead({ firstName: "Zoë 🦄", lastName: "Ñandú", customFields }) });
    expect(a.status).toBe(201);
    expect((a.json.customFields as Record<string, unknown>).emoji).toBe(customFields.emoji);
  });

  it("custom field of 2000 emoji (counted as characters) and of 2001", async () => {
    expect((await one({ body: lead({ customFields: { emoji: "😀".repeat(2000) } }) })).status).toBe(201);
    expect((await one({ body: lead({ customFields: { emoji: "😀".repeat(2001) } }) })).status).toBe(422);
  });

  it("body of exactly 1 MB is accepted", async () => {
    expect((await one({ body: padded(MAX_BODY_BYTES) })).status).toBe(201);
  });

  it("body of 1 MB + 1 byte is refused 413", async () => {
    expect((await one({ body: padded(MAX_BODY_BYTES + 1) })).json.error?.code).toBe("payload_too_large");
  });

  it("body of 1 MB + 1 byte with a matching Content-Length", async () => {
    expect((await one({ headers: [...base, ["Content-Length", String(MAX_BODY_BYTES + 1)]], body: padded(MAX_BODY_BYTES + 1) })).status).toBe(413);
  });

  it("exactly 1 MB with a multi-byte character at the end", async () => {
    const body = (tag: string) => {
      const head = `{"email":"${tag}@parity.test","firstName":"`;
      const tail = `é"}`;
      return Buffer.from(head + " ".repeat(MAX_BODY_BYTES - Buffer.byteLength(head) - Buffer.byteLength(tail)) + tail);
    };
    expect((await one({ body })).status).toBe(201); // firstName is trimmed to "é"
  });

  it("Content-Length larger than the body (under 1 MB)", async () => {
    await one({ headers: [...base, ["Content-Length", "5000"]] });
  });

  it("Content-Length claiming more than 1 MB with a small body: 413", async () => {
    expect((await one({ headers: [...base, ["Content-Length", String(MAX_BODY_BYTES + 1)]] })).status).toBe(413);
  });

  it("Content-Length not a number", async () => {
    await one({ headers: [...base, ["Content-Length", "abc"]] });
  });

  it("invalid UTF-8 (0xFF, overlong, an encoded lone surrogate, Latin-1)", async () => {
    for (const bad of [Buffer.from([0x7b, 0xff, 0x7d]), Buffer.from('{"email":"a\xc0\x80@x.test"}', "latin1"), Buffer.from('{"email":"\xed\xa0\x80@x.test"}', "latin1"), Buffer.from('{"email":"caf\xe9@x.test"}', "latin1")]) {
      const a = await one({ body: bad });
      expect(a.status).toBe(400);
      expect(a.json.error?.code).toBe("malformed_json");
    }
  });

  it("a UTF-8 byte order mark before the JSON", async () => {
    await one({ body: (tag) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lead()(tag))]) });
  });

  it("malformed JSON, empty body, a JSON scalar, an array", async () => {
    for (const body of ["{not json", "", "null", "42", "[]", '{"email":"x@y.test"', '{"email":"x@y.test"} {}']) {
      const a = await one({ body });
      expect([400, 422]).toContain(a.status);
    }
  });

  it("schema errors: unknown field, bad email, fractional score, bad custom field name, too many custom fields", async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`c${i}`, i]));
    for (const extra of [{ unknown: 1 }, { email: "not an email" }, { score: 1.5 }, { customFields: { "bad name": 1 } }, { customFields: many }, { email: null }, { status: "Bogus" }]) {
      expect((await one({ body: lead(extra) })).status).toBe(422);
    }
  });

  it("numbers a double cannot hold", async () => {
    for (const n of ["9007199254740993", "12345678901234567890", "1e400", "-1e400", "1e-400", "0.1000000000000000055511151231257827", "123456789012345678901234567890.5"]) {
      const a = await one({ body: (tag) => `{"email":"${tag}@parity.test","customFields":{"n":${n}}}` });
      expect(a.status, n).toBe(422);
    }
  });

  it("numbers written differently but exact (1E2, 1.50, -0)", async () => {
    for (const n of ["1E2", "1.50", "-0", "0.1"]) await one({ body: (tag) => `{"email":"${tag}@parity.test","customFields":{"n":${n}}}` });
  });

  it("NUL characters: escaped in a value, in a custom field name, raw in the body", async () => {
    expect((await one({ body: lead({ firstName: "a\u0000b" }) })).status).toBe(422);
    expect([400, 422]).toContain((await one({ body: lead({ customFields: { ["a\u0000"]: 1 } }) })).status);
    expect((await one({ body: (tag) => Buffer.from(`{"email":"${tag}@parity.test","firstName":"a\u0000b"}`) })).status).toBe(400);
    expect((await one({ body: lead({ customFields: { s: "\ud800" } }) })).status).toBe(422);
  });

  it("Idempotency-Key: new, replayed, reused with another body", async () => {
    const withKey: [string, string][] = [...base, ["Idempotency-Key", "idem-$TAG"]];
    const [created, replayed, reused] = await expectParity([
      { headers: withKey, body: lead({ firstName: "First" }) },
      { headers: withKey, body: lead({ firstName: "First" }) },
      { headers: withKey, body: lead({ firstName: "Other" }) },
    ]);
    expect(created!.status).toBe(201);
    expect(replayed!.status).toBe(201);
    expect(replayed!.headers["idempotent-replayed"]).toBe("true");
    expect(replayed!.json.id).toBe(created!.json.id);
    expect(reused!.json.error?.code).toBe("idempotency_key_reused");
  });

  it("Idempotency-Key created on one way is replayed alike on the other", async () => {
    const { key } = await newKey(true);
    const tag = newTag();
    const input: Input = { headers: [...base, ["Idempotency-Key", "cross-$TAG"]], body: lead() };
    const created = await viaAnswer(input, key, tag);
    expect(created.response.status).toBe(201);
    const byPost = normalize(await viaPost(input, key, tag), tag);
    const byAnswer = normalize((await viaAnswer(input, key, tag)).written, tag);
    expect(byPost).toEqual(byAnswer);
    // The replay shows the lead the creation answered with (webhook progress aside).
    const calm = (n: unknown) => JSON.parse(JSON.stringify(n, (k, v: unknown) => (["state", "attempts", "lastStatusCode", "lastError"].includes(k) ? "<volatile>" : v))) as { headers: Record<string, string> };
    const first = calm(normalize(created.written, tag));
    const again = calm(byAnswer);
    delete again.headers["idempotent-replayed"];
    expect(again).toEqual(first);
  });

  it("Idempotency-Key: invalid characters, empty, 255 and 256 characters", async () => {
    for (const value of ["has space", "tab\there", "clÃ©", "", "x".repeat(256)]) {
      const a = await one({ headers: [...base, ["Idempotency-Key", value]] });
      expect(a.json.error?.code, JSON.stringify(value)).toBe("invalid_idempotency_key");
    }
    expect((await one({ headers: [...base, ["Idempotency-Key", `$TAG${"k".repeat(255 - 12)}`]] })).status).toBe(201);
  });

  it("two Idempotency-Key headers", async () => {
    expect((await one({ headers: [...base, ["Idempotency-Key", "a-$TAG"], ["Idempotency-Key", "b-$TAG"]] })).status).toBe(400);
    expect((await one({ headers: [...base, ["Idempotency-Key", ""], ["Idempotency-Key", "b-$TAG"]] })).status).toBe(400);
  });

  it("a second Idempotency-Key header with an empty value (the joined value ends in a space)", async () => {
    // Joined, the values read "k, "; a Web Request normalizes that once more when it copies its
    // headers, to "k,", a valid key: the server's own path must read it the same (it read "k, ", a
    // 400, before it normalized as a Web Request does).
    expect((await one({ headers: [...base, ["Idempotency-Key", "a-$TAG"], ["idempotency-key", ""]] })).status).toBe(201);
    expect((await one({ headers: [...base, ["Idempotency-Key", " a-$TAG\t"]] })).status).toBe(201);
  });

  it("two Authorization headers (the same key twice; the key and another)", async () => {
    for (const second of ["$AUTH", "Bearer lhk_" + "z".repeat(40)]) {
      const a = await one({ headers: [...base, ["Authorization", second]] });
      expect(a.status).toBe(401);
      expect(a.headers["www-authenticate"]).toBe("Bearer");
    }
  });

  it("missing, malformed and unknown Authorization", async () => {
    for (const auth of [null, "Basic abc", "Bearer", "bearer $TAG", "Bearer lhk_" + "q".repeat(40)]) {
      const headers = base.filter(([n]) => n !== "Authorization");
      expect((await one({ headers: auth === null ? headers : [...headers, ["Authorization", auth]] })).status).toBe(401);
    }
  });

  it("header names in odd case", async () => {
    const headers: [string, string][] = [["hOsT", "localhost"], ["AUTHORIZATION", "$AUTH"], ["content-TYPE", "application/json"], ["IDEMPOTENCY-key", "odd-$TAG"], ["CONTENT-LENGTH", "9999999"]];
    expect((await one({ headers })).status).toBe(413);
    const headers2 = headers.slice(0, 4);
    const [a, b] = await expectParity([{ headers: headers2, body: lead() }, { headers: [...base, ["idempotency-key", "odd-$TAG"]], body: lead() }]);
    expect(a!.status).toBe(201);
    expect(b!.headers["idempotent-replayed"]).toBe("true");
  });

  it("lowercase 'bearer' scheme", async () => {
    await one({ headers: [["Host", "localhost"], ["authorization", "bearer $KEY"]] });
    await one({ headers: [["Host", "localhost"], ["authorization", "BEARER   $KEY"]] });
  });

  it("a revoked key the process still remembers: 401 whatever the request", async () => {
    const revoke = async (k: { id: string }) => revokeApiKey(prisma(), orgId, k.id);
    for (const input of [
      { headers: base, body: lead() },
      { headers: base, body: "{not json" },
      { headers: [...base, ["Idempotency-Key", "rev-$TAG"]], body: lead() },
      { headers: [...base, ["Idempotency-Key", "bad key"]], body: lead() },
      { headers: [...base, ["Content-Length", String(2 * MAX_BODY_BYTES)]], body: lead() },
      { headers: base, body: lead(), target: "/api/v1/leads?a=%E9" },
    ] as Input[]) {
      const [a] = await expectParity([input], { prepare: revoke });
      expect(a!.status).toBe(401);
    }
    const leftovers = await prisma().lead.count({ where: { organizationId: orgId, email: { contains: "@parity.test" }, customFields: { equals: {} } } });
    expect(leftovers).toBeGreaterThanOrEqual(0);
  });

  it("the organization's row changed after the key was remembered (guard fails, retried)", async () => {
    const [a] = await expectParity([{ headers: base, body: lead() }], {
      prepare: async () => {
        await prisma().organization.update({ where: { id: orgId }, data: { name: `Renamed ${newTag()}` } });
      },
    });
    expect(a!.status).toBe(201);
  });

  it("the rate limit: 429 with Retry-After, the same on both ways", async () => {
    process.env.API_RATE_LIMIT = "2";
    resetApiRateLimiter();
    try {
      const steps = await expectParity([
        { headers: base, body: lead() },
        { headers: base, body: "{bad" },
        { headers: base, body: lead() },
        { headers: [...base, ["Idempotency-Key", "bad key"]], body: lead() },
      ]);
      expect(steps.map((s) => s.status)).toEqual([201, 400, 429, 429]);
      expect(Number(steps[2]!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      // Limited and revoked while remembered: 401, not 429.
      const [revoked] = await expectParity([{ headers: base, body: lead() }, { headers: base, body: lead() }, { headers: base, body: lead() }], {
        prepare: async (k) => revokeApiKey(prisma(), orgId, k.id),
      });
      expect(revoked!.status).toBe(401);
    } finally {
      delete process.env.API_RATE_LIMIT;
      resetApiRateLimiter();
    }
  });

  it("query strings with invalid percent-encoding and unstorable text", async () => {
    for (const q of ["?a=%E9", "?%ED%A0%80=1", "?a=%ZZ", "?a=%", "?a=%00", "?a=b&&c", "?%F0%9F%98%80=%F0%9F%98%80", "?a=%ED%A0%80&b=%C3%A9", "?a+b=%2", "?=x"]) {
      await one({ target: `/api/v1/leads${q}` });
    }
  });

  it("another Host header (the URL's host)", async () => {
    await one({ headers: [["Host", "example.com:8080"], ["Authorization", "$AUTH"]] });
    await one({ headers: [["Host", "a.test"], ["Host", "b.test"], ["Authorization", "$AUTH"]] });
  });
});

// ---- the real Node server, serving intake as serve.ts does (scripts/intake.ts) -----------------

/** Counts the server's calls of POST.answer (a remembered key, the body read): the other way is POST (streamed). */
const answered = vi.spyOn(POST, "answer");

describe("through a Node HTTP server serving intake as serve.ts does", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      intake(req, res).catch(() => (res.headersSent ? res.destroy() : res.writeHead(500).end("{}")));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** Sends raw HTTP/1.1 bytes; resolves with the raw answer (connection: close). */
  const rawHttp = (head: string, body: Buffer) =>
    new Promise<{ status: number; headers: Record<string, string>; text: string }>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const s = connect(port, "127.0.0.1", () => {
        s.write(head);
        s.write(body); // no half-close: Node's server would drop the request (the server closes: Connection: close)
      });
      s.on("data", (c: Buffer) => chunks.push(c)).on("error", reject);
      s.on("close", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const [headPart = "", ...rest] = text.split("\r\n\r\n");
        const [statusLine = "", ...lines] = headPart.split("\r\n");
        const headers: Record<string, string> = {};
        for (const l of lines) {
          const i = l.indexOf(":");
          const n = l.slice(0, i).toLowerCase();
          if (!TRANSPORT.has(n)) headers[n] = headers[n] === undefined ? l.slice(i + 1).trim() : `${headers[n]}, ${l.slice(i + 1).trim()}`;
        }
        resolve({ status: Number(statusLine.split(" ")[1]), headers, text: rest.join("\r\n\r\n") });
      });
    });

  /** The same raw request on the streamed way (a key never seen) and the answer way (a remembered key). */
  async function both(headerLines: (auth: string, tag: string) => string[], body: (tag: string) => Buffer) {
    const out: Record<string, unknown> = {};
    for (const warm of [false, true]) {
      const { key } = await newKey(warm);
      const tag = newTag();
      const calls = answered.mock.calls.length; // one request at a time: its answer is written after the call
      const r = await rawHttp(["POST /api/v1/leads HTTP/1.1", "Host: localhost", "Connection: close", ...headerLines(`Bearer ${key}`, tag), "", ""].join("\r\n"), body(tag));
      if (r.status !== 400 || r.text) expect(answered.mock.calls.length > calls ? "answer" : "streamed").toBe(warm ? "answer" : "streamed");
      out[warm ? "answer" : "streamed"] = normalize({ status: r.status, headers: r.headers, text: r.text }, tag);
    }
    expect(out.answer).toEqual(out.streamed);
    return out.answer as { status: number; body: { error?: { code: string } } };
  }
  const json = (tag: string) => Buffer.from(JSON.stringify({ email: `${tag}@parity.test`, firstName: "Node" }));

  it("a valid lead", async () => {
    const a = await both((auth, tag) => [`Authorization: ${auth}`, `Idempotency-Key: srv-${tag}`, "Content-Type: application/json", `Content-Length: ${json(tag).length}`], json);
    expect(a.status).toBe(201);
  });

  it("a chunked body over 1 MB (no length): 413", async () => {
    const big = (tag: string) => {
      const b = padded(MAX_BODY_BYTES + 100_000)(tag);
      return Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from("\r\n0\r\n\r\n")]);
    };
    expect((await both((auth) => [`Authorization: ${auth}`, "Transfer-Encoding: chunked"], big)).status).toBe(413);
  });

  it("a declared length over 1 MB: 413 without reading", async () => {
    expect((await both((auth) => [`Authorization: ${auth}`, `Content-Length: ${MAX_BODY_BYTES + 1}`], () => Buffer.alloc(0))).status).toBe(413);
  });

  it("two Authorization headers", async () => {
    expect((await both((auth, tag) => [`Authorization: ${auth}`, `authorization: ${auth}`, `Content-Length: ${json(tag).length}`], json)).status).toBe(401);
  });

  it("two Idempotency-Key headers and header names in odd case", async () => {
    expect((await both((auth, tag) => [`AUTHORIZATION: ${auth}`, `idempotency-KEY: a${tag}`, `IDEMPOTENCY-key: b${tag}`, `content-LENGTH: ${json(tag).length}`], json)).status).toBe(400);
  });

  it("non-ASCII bytes in an Idempotency-Key", async () => {
    const head = (auth: string, tag: string) => [`Authorization: ${auth}`, `Idempotency-Key: k\u00e9${tag}`, `Content-Length: ${json(tag).length}`];
    expect((await both(head, json)).status).toBe(400);
  });

  it("a second, empty Idempotency-Key header", async () => {
    const head = (auth: string, tag: string) => [`Authorization: ${auth}`, `Idempotency-Key: e-${tag}`, "Idempotency-Key:", `Content-Length: ${json(tag).length}`];
    expect((await both(head, json)).status).toBe(201); // the key "e-…," on both ways (see above)
  });

  it("two Content-Length headers are refused by Node before either way (400, no body)", async () => {
    const r = await rawHttp(`POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n`, Buffer.from("{}"));
    expect(r.status === 400 || Number.isNaN(r.status)).toBe(true);
  });
});
