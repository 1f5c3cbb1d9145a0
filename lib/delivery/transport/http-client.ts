import type { LookupFunction } from "node:net";
import { Agent, errors as undiciErrors, request } from "undici";
import { BlockedRequestError, checkUrlShape, resolveAllowed, systemLookup, type GuardPolicy, type LookupFn } from "@/lib/security/ssrf";
import { MAX_IN_FLIGHT } from "@/lib/core/env";
import { headerValueProblem, isHeaderName } from "@/lib/core/http-text";
import type { ErrorClass, OutboundResponse } from "@/lib/domain/attempt";
import { NO_RESPONSE_STATUS } from "../policy/retry";

// The one outbound HTTP client. Every request goes through the SSRF guard: the URL's shape is
// checked first, and the socket's DNS lookup is replaced by the guard's, so the connection is made
// to the address that was vetted (no second resolution an attacker's DNS could answer
// differently). Redirects are never followed; bodies are read up to a cap; a hard deadline covers
// connect, headers and body together.

export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface OutboundRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
}

/** The socket lookup undici is given: resolves through the guard and answers only the vetted address (DNS pinning). */
export function guardedLookup(policy: GuardPolicy, lookup: LookupFn): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(hostname, policy, lookup).then(
      (a) => {
        if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [a]);
        else callback(null, a.address, a.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, "", 4),
    );
  };
}

export interface HttpClientOptions {
  policy: GuardPolicy;
  lookup?: LookupFn;
  connections?: number;
  maxResponseBytes?: number;
}

export class GuardedHttpClient {
  private readonly agent: Agent;
  private readonly maxBytes: number;

  constructor(private readonly options: HttpClientOptions) {
    this.maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.agent = new Agent({
      // Sockets per origin. The dispatcher's own limits (DELIVERY_PER_HOST_CONCURRENCY, up to 1024)
      // decide how many requests go to a host at once; a lower cap here would hold the ones over
      // it inside the agent while their timeout runs (counted as timeouts, and sent again).
      connections: options.connections ?? MAX_IN_FLIGHT,
      keepAliveTimeout: 10_000,
      pipelining: 1,
      connect: { lookup: guardedLookup(options.policy, options.lookup ?? systemLookup), rejectUnauthorized: true },
    });
  }

  async send(req: OutboundRequest): Promise<OutboundResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failed = (cls: ErrorClass, message: string): OutboundResponse => ({
      status: NO_RESPONSE_STATUS,
      headers: {},
      body: "",
      bodyTruncated: false,
      durationMs: elapsed(),
      error: { class: cls, message },
    });
    try {
      checkUrlShape(req.url, this.options.policy);
    } catch (err) {
      return failed("blocked", (err as Error).message);
    }
    const unsendable = headerProblem(req.headers);
    if (unsendable) return failed("config", unsendable);
    const deadline = AbortSignal.timeout(req.timeoutMs);
    try {
      const res = await request(req.url, {
        dispatcher: this.agent,
        method: req.method as "POST",
        headers: req.headers,
        body: req.body,
        signal: deadline,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        if (size + buf.length > this.maxBytes) {
          chunks.push(buf.subarray(0, this.maxBytes - size));
          truncated = true;
          break; // leaving the loop destroys the stream: a huge body is not read to its end
        }
        chunks.push(buf);
        size += buf.length;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      return { status: res.statusCode, headers, body: Buffer.concat(chunks).toString("utf8"), bodyTruncated: truncated, durationMs: elapsed() };
    } catch (err) {
      const { cls, message } = classifyError(err, deadline.aborted, req.timeoutMs);
      return failed(cls, message);
    }
  }

  /** Waits for requests in flight, then closes the pooled connections. */
  close(): Promise<void> {
    return this.agent.close();
  }

  /** Aborts requests in flight and closes every connection at once. */
  destroy(): Promise<void> {
    return this.agent.destroy();
  }
}

/**
 * A header undici would refuse (it then throws "invalid … header", which would look like a
 * network failure), said with the header's name. Credentials are checked before this, by the
 * auth layer, so that the message names the setting; what reaches here is a custom header.
 */
function headerProblem(headers: Record<string, string>): string | null {
  for (const [name, value] of Object.entries(headers)) {
    if (!isHeaderName(name)) return `The header name ${JSON.stringify(name)} is not a valid HTTP header name: fix it in the rule's custom headers (Request tab)`;
    const problem = headerValueProblem(value, "latin1");
    if (problem) return `The value of the header "${name}" cannot be sent: it ${problem}. Fix it in the rule's custom headers (Request tab)`;
  }
  return null;
}

function rootCause(err: unknown): Error & { code?: string } {
  let e = err as Error & { code?: string; cause?: unknown };
  while (e && !e.code && e.cause instanceof Error) e = e.cause as Error & { code?: string; cause?: unknown };
  return e;
}

/** Maps a failure with no HTTP response to an error class and a sentence an admin can act on. */
export function classifyError(err: unknown, timedOut: boolean, timeoutMs: number): { cls: ErrorClass; message: string } {
  const e = rootCause(err);
  if (e instanceof BlockedRequestError || (err as Error)?.name === "BlockedRequestError") {
    const be = (e instanceof BlockedRequestError ? e : err) as BlockedRequestError;
    return be.reason === "dns" ? { cls: "dns", message: be.message } : { cls: "blocked", message: be.message };
  }
  const code = e?.code ?? "";
  // undici refused to build the request (an invalid header, method or body): ours to fix, not the network's.
  if (code === "UND_ERR_INVALID_ARG" || code === "UND_ERR_NOT_SUPPORTED") return { cls: "config", message: `Leadhooks could not build the request: ${e.message}` };
  if (timedOut || e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") {
    return { cls: "timeout", message: `No complete response within ${timeoutMs / 1000} s (timeout)` };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { cls: "dns", message: `DNS lookup failed (${code})` };
  if (code === "ECONNREFUSED") return { cls: "connection_refused", message: "Connection refused: nothing is listening at that address and port" };
  if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") {
    return { cls: "connection_reset", message: "The connection was closed by the receiver before a complete response" };
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code) || /certificate/i.test(e?.message ?? "")) {
    return { cls: "tls", message: `TLS error: ${e.message}` };
  }
  if (e instanceof undiciErrors.HTTPParserError || e?.name === "HTTPParserError" || code.startsWith("HPE_") || code === "UND_ERR_INFO" || code === "UND_ERR_RESPONSE_STATUS_CODE") {
    return { cls: "protocol", message: `Invalid HTTP response: ${e.message}` };
  }
  return { cls: "network", message: e?.message || String(err) };
}
