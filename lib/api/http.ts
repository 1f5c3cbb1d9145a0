import { z } from "zod";
import { authenticateApiKey, forgetApiKey, rememberedApiKey, type ApiKeyAuth } from "@/lib/api/keys";
import { database } from "@/lib/db";
import type { Sql } from "@/lib/db/sql";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "@/lib/db/unavailable";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { fieldErrorsOf } from "@/lib/core/field-errors";
import { unstorableTextReason, unstorableValues } from "@/lib/core/storable";
import { INEXACT_NUMBER_MESSAGE, inexactNumbers } from "../core/json-numbers";
import { apiRateLimiter } from "./rate-limit";

// The REST API's edges: API-key authentication, body parsing with size and shape checks, and one
// error format: { "error": { "code", "message", "fields"? } }.

export const MAX_BODY_BYTES = 1024 * 1024;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string[]>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * An answer as data: what a route returns when its answer may be written without a Web Response
 * (lead intake, which the server writes itself: scripts/serve.ts). `toResponse` makes the same
 * answer a Response, for Next.js.
 */
export interface ApiAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const toResponse = (a: ApiAnswer): Response => Response.json(a.body, { status: a.status, headers: a.headers });

function errorAnswer(err: ApiError): ApiAnswer {
  return { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } }, headers: err.headers };
}

export function errorResponse(err: ApiError): Response {
  return toResponse(errorAnswer(err));
}

/**
 * What the API's edges read of a request: a Web Request, or, for lead intake, the server's own
 * view of a Node request whose body it has read (scripts/serve.ts): building a Web Request and
 * its streams cost that route more than its validation.
 */
export interface ApiRequest {
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer | Uint8Array>;
}

/** The raw body, refused with 413 over 1 MB (by its declared length before reading, and after). */
export async function readBody(req: ApiRequest): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new ApiError(413, "payload_too_large", "The request body is larger than 1 MB.");
  const bytes = await req.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) throw new ApiError(413, "payload_too_large", "The request body is larger than 1 MB.");
  let raw: string;
  try {
    // fatal: bytes that are not UTF-8 (an encoded lone surrogate, Latin-1 text) are refused, not read as U+FFFD.
    raw = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, "malformed_json", "The request body is not valid UTF-8. Send JSON encoded as UTF-8.");
  }
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw new ApiError(413, "payload_too_large", "The request body is larger than 1 MB.");
  return raw;
}

/**
 * Values of a parsed body that would not be kept as sent: numbers a double cannot hold exactly
 * (read from the raw text, since JSON.parse has already rounded them) and text the database cannot
 * hold. Checked for every body before its schema, so no route can store a silently changed value.
 */
function unkeepableFields(raw: string, data: unknown): Record<string, string[]> | null {
  const out: Record<string, string[]> = {};
  for (const n of inexactNumbers(raw)) (out[n.path] ??= []).push(INEXACT_NUMBER_MESSAGE);
  for (const u of unstorableValues(data)) (out[u.path.join(".") || "_body"] ??= []).push(u.message);
  return Object.keys(out).length ? out : null;
}

/** Parses a body: 400 when it is not JSON, 422 when it holds a value that cannot be kept as sent or does not fit the schema. */
export function parseBody<S extends z.ZodType>(raw: string, schema: S): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new ApiError(400, "malformed_json", "The request body is not valid JSON.");
  }
  const unkeepable = unkeepableFields(raw, data);
  if (unkeepable) throw new ApiError(422, "validation_failed", "Some fields hold values that cannot be kept as sent.", unkeepable);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new ApiError(422, "validation_failed", "Some fields are invalid.", fieldErrorsOf(parsed.error.issues, "_body"));
  return parsed.data;
}

/** Parses a URL's query string: 400 invalid_query, with the fields, when it does not fit the schema. */
export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = new URL(req.url).searchParams;
  const parsed = schema.safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new ApiError(400, "invalid_query", "Some query parameters are invalid.", fieldErrorsOf(parsed.error.issues, "_body"));
  return parsed.data;
}

/** Reads and parses a JSON body (413, 400, 422 as above). */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  return parseBody(await readBody(req), schema);
}

/**
 * Path ids and query parameters the database cannot hold (NUL, lone surrogates) are refused here,
 * for every route: an id that cannot exist is not found (404), a query parameter is invalid (400).
 */
function checkStorableRequest(req: ApiRequest, params: unknown): void {
  for (const [name, value] of Object.entries((params ?? {}) as Record<string, unknown>)) {
    const reason = typeof value === "string" ? unstorableTextReason(value) : null;
    if (reason) throw new ApiError(404, "not_found", `Not found: the path parameter "${name}" holds a character no id contains. ${reason}`);
  }
  const fields: Record<string, string[]> = {};
  // URLSearchParams reads percent-encoded bytes that are not UTF-8 (%ED%A0%80) as U+FFFD: refuse them instead.
  for (const pair of new URL(req.url).search.slice(1).split("&")) {
    const [name = "", value = ""] = pair.split("=", 2).map((part) => part.replaceAll("+", " "));
    const decoded = (part: string) => {
      if (/%(?![0-9A-Fa-f]{2})/.test(part)) return part; // a bare "%" stays as typed: nothing is changed
      try {
        return decodeURIComponent(part);
      } catch {
        return null;
      }
    };
    if (pair && (decoded(name) === null || decoded(value) === null)) {
      (fields[decoded(name) ?? "_query"] ??= []).push("Not valid percent-encoded UTF-8.");
    }
  }
  for (const [name, value] of new URL(req.url).searchParams) {
    const reason = unstorableTextReason(name) ?? unstorableTextReason(value);
    if (reason) (fields[unstorableTextReason(name) ? "_query" : name] ??= []).push(reason);
  }
  if (Object.keys(fields).length) throw new ApiError(400, "invalid_query", "Some query parameters are invalid.", fields);
}

export interface ApiContext extends ApiKeyAuth {
  prisma: PrismaClient;
  /** Plain SQL, for the hot path (accepting leads). */
  sql: Sql;
  /**
   * The key checked against the database now (this context's own auth when it already was): for
   * a route that remembers keys, before it reads data, and when a guarded write failed. Throws the
   * 401 when the key is no longer valid.
   */
  confirm(): Promise<ApiKeyAuth>;
}

const unauthorized = () => new ApiError(401, "unauthorized", "Missing, unknown or revoked API key. Send Authorization: Bearer <api key>.", undefined, { "WWW-Authenticate": "Bearer" });

/**
 * Wraps a route handler: authenticates the API key, applies the key's rate limit (429 with
 * Retry-After), refuses path ids and query parameters the database cannot hold, and maps every
 * error to the API's format (a database that cannot be reached: 503 with Retry-After).
 *
 * `remember`: the route may start from a key this process checked in the last minute, without a
 * statement; the context is then `unconfirmed`, and the route must write under that guard (and
 * call `confirm()` before reading anything). Only lead intake does: its insert confirms the key.
 * Any error answer to an unconfirmed key waits for the key to be confirmed (a revoked key gets 401).
 */
export function withApiKey<P, R extends ApiRequest = Request>(handler: (req: R, ctx: ApiContext, params: P) => Promise<Response | ApiAnswer>, { remember = false } = {}) {
  const answer = async (req: R, route: { params: Promise<P> }): Promise<Response | ApiAnswer> => {
    try {
      const { prisma, sql } = await database();
      const authorization = req.headers.get("authorization");
      const check = async () => (await authenticateApiKey(sql, authorization)) ?? Promise.reject(unauthorized());
      const auth = (remember && rememberedApiKey(authorization)) || (await check());
      const confirm = async () => {
        if (!auth.unconfirmed) return auth;
        forgetApiKey(authorization);
        return check();
      };
      try {
        const limit = apiRateLimiter().take(auth.apiKeyId);
        if (!limit.allowed) {
          throw new ApiError(429, "rate_limited", `Too many requests for this API key (limit ${limit.limit} per minute). Retry after ${limit.retryAfterSeconds} s.`, undefined, {
            "Retry-After": String(limit.retryAfterSeconds),
          });
        }
        const params = await route.params;
        checkStorableRequest(req, params);
        return await handler(req, { ...auth, prisma, sql, confirm }, params);
      } catch (err) {
        // A remembered key is checked before any error answer goes out: a revoked one gets its
        // 401, never an answer about its request (costs a statement on the error path only).
        if (auth.unconfirmed) await confirm();
        throw err;
      }
    } catch (err) {
      if (err instanceof ApiError) return errorAnswer(err);
      if (err instanceof NotFoundError) return errorAnswer(new ApiError(404, "not_found", err.message));
      if (err instanceof DomainError) return errorAnswer(new ApiError(422, "validation_failed", err.message, err.fieldErrors));
      if (isDatabaseUnavailable(err)) {
        // Restarting or unreachable: the transaction never committed, so the same request can be sent again.
        console.warn("API: database unavailable:", err instanceof Error ? err.message.split("\n").at(-1) : err);
        return errorAnswer(
          new ApiError(503, "database_unavailable", `The database is unavailable for a moment (restarting or unreachable); nothing was stored. Retry after ${DATABASE_RETRY_AFTER_SECONDS} s.`, undefined, {
            "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS),
          }),
        );
      }
      console.error("API error:", err);
      return errorAnswer(new ApiError(500, "internal_error", "Something went wrong on our side."));
    }
  };
  /** The route handler for Next.js; `answer` gives the same answer as data when the handler's is. */
  return Object.assign(async (req: R, route: { params: Promise<P> }): Promise<Response> => {
    const a = await answer(req, route);
    return a instanceof Response ? a : toResponse(a);
  }, { answer });
}
